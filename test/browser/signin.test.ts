// Signing in to the admin console in Chromium: the seeded admin gets in and stays in across reloads (renewing an
// expired access token with the refresh token) until signing out; a non-admin and a wrong password are refused
// with a clear message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { api, demo } from '#test/support/api-client';
import { consoleUrl, launchBrowser, openConsole, signIn } from './browser';

const STORAGE_KEY = 'taskwell.console.session';
const stored = (page: Page) => page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(STORAGE_KEY)})`);

describe('signing in to the admin console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lets the seeded admin in, keeps the session across reloads, renews it, and signs out', async () => {
    const tab = await openConsole(browser);
    const { page } = tab;
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();

    await signIn(page, demo.admin);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Dashboard', 'Users', 'Audit log', 'Operations']);
    expect(await page.locator('.account-email').textContent()).toBe(demo.admin.email);
    const session = JSON.parse((await stored(page)) ?? 'null');
    expect(session).toMatchObject({ email: demo.admin.email, refreshToken: expect.any(String), expiresAt: expect.any(Number) });

    // A reload keeps the session.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await page.getByLabel('Password').count()).toBe(0);

    // An expired access token is renewed with the refresh token on the next load.
    await page.evaluate(`(() => { const s = JSON.parse(localStorage.getItem('${STORAGE_KEY}')); s.expiresAt = 0; localStorage.setItem('${STORAGE_KEY}', JSON.stringify(s)); })()`);
    const renewed = page.waitForResponse((r) => r.url().endsWith('/v1/auth/refresh'));
    await page.reload();
    expect((await renewed).status()).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(JSON.parse((await stored(page)) ?? 'null').expiresAt).toBeGreaterThan(Date.now() + 60_000);

    // Signing out ends the session here and revokes the refresh token.
    const revoked = page.waitForResponse((r) => r.url().endsWith('/v1/auth/logout'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await revoked).status()).toBe(204);
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'You signed out.' }).count()).toBe(1);
    expect(await stored(page)).toBeNull();
    expect((await api.post('/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();

    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('signs out every tab of the browser at once', async () => {
    const tab = await openConsole(browser);
    await signIn(tab.page, demo.admin);
    const second = await tab.context.newPage();
    await second.goto(consoleUrl('users'));
    await second.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await tab.page.getByRole('button', { name: 'Sign out' }).click();
    await second.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    expect(await second.getByRole('status').filter({ hasText: 'You signed out in another tab.' }).count()).toBe(1);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('refuses a user who is not an admin, with a clear message, and keeps nothing of their session', async () => {
    const tab = await openConsole(browser);
    const { page } = tab;
    const login = page.waitForResponse((r) => r.url().endsWith('/v1/auth/login'));
    await page.getByLabel('Email').fill(demo.user.email);
    await page.getByLabel('Password').fill(demo.user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const tokens = (await (await login).json()) as { refreshToken: string };

    const error = page.getByRole('alert');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/not a Taskwell administrator/);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await stored(page)).toBeNull();
    // The session the login opened was revoked at once.
    await expect.poll(async () => (await api.post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(401);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it("shows the API's answer to a wrong password", async () => {
    const expected = await api.post('/v1/auth/login', { email: demo.admin.email, password: `${demo.admin.password}-wrong` });
    expect(expected.status).toBe(401);
    const message = String(expected.body.detail ?? expected.body.title);

    const tab = await openConsole(browser);
    const { page } = tab;
    await page.getByLabel('Email').fill(demo.admin.email);
    await page.getByLabel('Password').fill(`${demo.admin.password}-wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByRole('alert');
    await error.waitFor();
    expect(await error.textContent()).toContain(message);
    // The password field is cleared for the next try, and the error has the focus (screen readers read it).
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.evaluate<string>('document.activeElement?.dataset?.testid ?? ""')).toBe('signin-error');
    expect(await stored(page)).toBeNull();
    expect(tab.problems).toEqual([]);
    await tab.close();
  });
});
