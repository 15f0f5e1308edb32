// Users in Chromium: search by email prefix, a user's projects and task counts, disabling a user (their very next
// API call is refused) and enabling them again, granting and revoking the admin role — each confirmed first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { as, claims, demo, login, newUser, session } from '#test/support/api-client';
import { consoleUrl, focused, launchBrowser, signedIn } from './browser';

const openUser = async (page: Page, email: string) => {
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  await page.getByLabel('Email starts with').fill(email.slice(0, 16));
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: email }).click();
  await page.getByRole('heading', { level: 2, name: 'Profile' }).waitFor();
};

describe('users in the admin console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('finds users by email prefix and shows one with their projects and task counts', async () => {
    const prefix = `browser-search-${Date.now().toString(36)}`;
    const ann = await newUser({ name: 'Ann Search', email: `${prefix}-ann@example.com` });
    const bo = await newUser({ name: 'Bo Search', email: `${prefix}-bo@example.com` });
    const project = await as(ann).post('/v1/projects', { name: 'Ann’s launch' });
    expect(project).toHaveStatus(201);
    expect(await as(ann).post(`/v1/projects/${project.body.id}/members`, { email: bo.email, role: 'editor' })).toHaveStatus(201);
    expect(await as(ann).post('/v1/tasks', { title: 'Assigned to Bo', projectId: project.body.id, assigneeId: bo.userId })).toHaveStatus(201);
    expect(await as(ann).post('/v1/tasks', { title: 'Ann alone' })).toHaveStatus(201);

    const tab = await signedIn(browser, demo.admin, { path: 'users' });
    const { page } = tab;
    await page.getByLabel('Email starts with').fill(prefix);
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('region', { name: 'Users' }).getByRole('table');
    await table.getByRole('link', { name: ann.email }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect((await table.locator('tbody td:first-child').allTextContents()).sort()).toEqual([ann.email, bo.email].sort());
    expect(page.url()).toContain(`users?q=${prefix}`);

    // Nobody matches: the empty state says so.
    await page.getByLabel('Email starts with').fill(`${prefix}-nobody`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText(`No user's email starts with “${prefix}-nobody”.`).waitFor();

    // Bo's page: what the API says about Bo, with the project.
    await page.goto(consoleUrl(`users/${bo.userId}`));
    await page.getByRole('heading', { level: 1, name: 'Bo Search' }).waitFor();
    const detail = await as(demo.admin).get(`/v1/admin/users/${bo.userId}`);
    expect(detail).toHaveStatus(200);
    const projects = page.getByRole('region', { name: 'Projects' });
    expect(await projects.locator('tbody td:first-child').allTextContents()).toEqual(['Ann’s launch']);
    expect(await projects.locator('tbody td:nth-child(2)').allTextContents()).toEqual(['editor']);
    const numbers = (await page.locator('.facts-numbers dd').allTextContents()).map(Number);
    expect(numbers).toEqual([detail.body.taskCounts.assignedOpen, detail.body.taskCounts.assignedDone, detail.body.taskCounts.privateTasks]);
    expect(detail.body.taskCounts.assignedOpen).toBe(1);
    expect(await page.getByTestId('user-status').textContent()).toBe('Active');

    // An unknown id is a clear "not found".
    await page.goto(consoleUrl('users/no-such-user'));
    await page.getByRole('heading', { level: 1, name: 'User not found' }).waitFor();
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it("blocks a user's next API call once disabled in the console, and lets them sign in again when enabled", async () => {
    const dora = await newUser({ name: 'Dora Disabled' });
    expect(await as(dora).get('/v1/me')).toHaveStatus(200);

    const tab = await signedIn(browser, demo.admin);
    const { page } = tab;
    await openUser(page, dora.email);

    // Escape cancels: nothing changes.
    await page.getByRole('button', { name: 'Disable user' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Disable this user?' });
    await dialog.waitFor();
    expect(await focused(page)).toBe('button: Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('button: Disable user');
    expect(await as(dora).get('/v1/me')).toHaveStatus(200);

    // Confirmed: disabled, and Dora's existing token is refused on her next request.
    await page.getByRole('button', { name: 'Disable user' }).click();
    await dialog.getByRole('button', { name: 'Disable user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('user-status').getByText('Disabled').waitFor();
    await page.getByText('The user is disabled').waitFor();
    expect(await as(dora).get('/v1/me')).toHaveStatus(403);
    expect((await as(demo.admin).get(`/v1/admin/users/${dora.userId}`)).body.user.status).toBe('disabled');

    // Enabled again.
    await page.getByRole('button', { name: 'Enable user' }).click();
    await page.getByRole('alertdialog', { name: 'Enable this user?' }).getByRole('button', { name: 'Enable user' }).click();
    await page.getByTestId('user-status').getByText('Active').waitFor();
    // Disabling ended her sessions: the old token stays refused, and she signs in again.
    expect(await as(dora).get('/v1/me')).toHaveStatus(403);
    const again = await login(dora);
    expect(await as(again.accessToken).get('/v1/me')).toHaveStatus(200);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('grants and revokes the admin role, effective from the next request, and never on oneself', async () => {
    const erin = await newUser({ name: 'Erin Elevated' });
    expect(await as(erin).get('/v1/admin/stats')).toHaveStatus(403);

    const tab = await signedIn(browser, demo.admin);
    const { page } = tab;
    await openUser(page, erin.email);
    expect(await page.getByTestId('user-role').textContent()).toBe('User');
    await page.getByRole('button', { name: 'Grant admin' }).click();
    await page.getByRole('alertdialog', { name: 'Make this user an administrator?' }).getByRole('button', { name: 'Grant admin role' }).click();
    await page.getByTestId('user-role').getByText('Administrator').waitFor();
    const promoted = await login(erin);
    expect(claims(promoted.accessToken)['cognito:groups']).toContain('admins');
    expect(await as(promoted.accessToken).get('/v1/admin/stats')).toHaveStatus(200);

    await page.getByRole('button', { name: 'Revoke admin' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke the admin role?' }).getByRole('button', { name: 'Revoke admin role' }).click();
    await page.getByTestId('user-role').getByText('User').waitFor();
    // The token minted while they were an admin still says admins, and is refused admin rights all the same.
    expect(await as(promoted.accessToken).get('/v1/admin/stats')).toHaveStatus(403);
    const demoted = await login(erin);
    expect(claims(demoted.accessToken)['cognito:groups'] ?? []).not.toContain('admins');
    expect(await as(demoted.accessToken).get('/v1/admin/stats')).toHaveStatus(403);

    // The signed-in admin's own page: neither action is offered.
    const me = String(claims((await session(demo.admin)).accessToken).sub);
    await page.goto(consoleUrl(`users/${me}`));
    await page.getByRole('heading', { level: 2, name: 'Profile' }).waitFor();
    expect(await page.getByRole('button', { name: 'Disable user' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Revoke admin' }).isDisabled()).toBe(true);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });
});
