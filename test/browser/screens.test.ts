// Every screen at a phone's width (390×844): nothing scrolls sideways, the navigation collapses behind a Menu
// button, and a full-page screenshot of each is kept under test-results/screenshots/. At 1280×800 the navigation
// is a sidebar. And the console works from the keyboard alone: skip link, visible focus, dialogs that keep the
// focus inside and give it back.
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { as, demo, newUser } from '#test/support/api-client';
import { WAIT, auditOf } from '#test/support/e2e-events';
import { DESKTOP, PHONE, consoleUrl, focused, horizontalOverflow, launchBrowser, openConsole, overflowingElements, screenshot, signIn } from './browser';

/** Waits until no loading indicator is left on the screen. */
const settled = async (page: Page) => {
  // A function, not a string: a string predicate is eval'ed in the page, which the console's CSP forbids.
  await page.waitForFunction(() => !(globalThis as any).document.querySelector('.state-loading'));
};

const outlineOfFocused = (page: Page) =>
  page.evaluate<string>(`(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; })()`);

describe('the console on a phone and on a desktop', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('fits every screen into 390 px, collapses the navigation, and keeps a screenshot of each', async () => {
    // Something to show on every screen.
    const subject = await newUser({ name: 'Phone Subject' });
    const project = await as(subject).post('/v1/projects', { name: 'Pocket project' });
    expect(project).toHaveStatus(201);
    const task = await as(subject).post('/v1/tasks', { title: 'Small screens', projectId: project.body.id, priority: 'high' });
    expect(task).toHaveStatus(201);
    expect(await as(subject).patch(`/v1/tasks/${task.body.id}`, { priority: 'urgent', version: task.body.version })).toHaveStatus(200);
    await expect.poll(async () => (await auditOf({ entityType: 'Task', entityId: task.body.id })).length, WAIT).toBe(2);

    const tab = await openConsole(browser, { viewport: PHONE, isMobile: true });
    const { page } = tab;
    const shots: string[] = [];
    const capture = async (name: string, options: { dialog?: boolean } = {}) => {
      await settled(page);
      const overflow = await horizontalOverflow(page);
      expect(overflow, `${name} scrolls sideways by ${overflow} px: ${(await overflowingElements(page)).join(', ')}`).toBe(0);
      shots.push(await screenshot(page, `phone-${name}`, { fullPage: !options.dialog }));
    };

    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    await capture('sign-in');
    await page.getByLabel('Email').fill(demo.user.email);
    await page.getByLabel('Password').fill(demo.user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await capture('sign-in-refused');

    await signIn(page, demo.admin);
    await page.locator('[data-testid=chart-activity] canvas').waitFor();
    // The navigation is collapsed behind the Menu button.
    const nav = page.getByRole('navigation', { name: 'Main' });
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await nav.isVisible()).toBe(false);
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await capture('dashboard');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav.getByRole('link', { name: 'Users' }).waitFor();
    await capture('navigation-open');

    // Choosing a screen closes the menu again.
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    expect(await nav.isVisible()).toBe(false);
    await capture('users');

    await page.goto(consoleUrl(`users/${subject.userId}`));
    await page.getByRole('heading', { level: 1, name: 'Phone Subject' }).waitFor();
    await capture('user-detail');
    await page.getByRole('button', { name: 'Disable user' }).click();
    await page.getByRole('alertdialog', { name: 'Disable this user?' }).waitFor();
    await capture('user-disable-confirmation', { dialog: true });
    await page.keyboard.press('Escape');

    await page.goto(consoleUrl(`audit?entityType=Task&entityId=${task.body.id}`));
    await page.getByRole('button', { name: 'TaskUpdated' }).waitFor();
    await capture('audit-log');
    await page.getByRole('button', { name: 'TaskUpdated' }).click();
    await page.getByRole('dialog', { name: 'TaskUpdated · Task' }).waitFor();
    await capture('audit-record', { dialog: true });
    await page.keyboard.press('Escape');

    await page.goto(consoleUrl('operations'));
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
    await capture('operations');
    await page.goto(consoleUrl('operations/taskwell-notifications-dlq'));
    await page.getByRole('heading', { level: 1, name: 'taskwell-notifications-dlq' }).waitFor();
    await capture('dlq-messages');

    await page.goto(consoleUrl('no/such/screen'));
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await capture('not-found');

    for (const shot of shots) expect(existsSync(shot) && statSync(shot).size > 5_000, shot).toBe(true);
    expect(shots).toHaveLength(12);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('shows the navigation as a sidebar at 1280×800, with nothing scrolling sideways', async () => {
    const tab = await openConsole(browser, { viewport: DESKTOP });
    const { page } = tab;
    await signIn(page, demo.admin);
    await page.locator('[data-testid=chart-activity] canvas').waitFor();
    expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(true);
    const box = await nav.boundingBox();
    expect(box!.x).toBe(0);
    expect(box!.height).toBeGreaterThan(600);
    for (const path of ['', 'users', 'audit', 'operations']) {
      await page.goto(consoleUrl(path));
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await settled(page);
      // A page load leaves the focus where the browser puts it; only a navigation inside the console moves it.
      expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('BODY');
      expect(await horizontalOverflow(page), path).toBe(0);
      expect(await nav.locator('a[aria-current=page]').count()).toBe(1);
      await screenshot(page, `desktop-${path || 'dashboard'}`);
    }
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('works from the keyboard alone', async () => {
    const kim = await newUser({ name: 'Kim Keyboard' });
    const tab = await openConsole(browser, { viewport: DESKTOP });
    const { page } = tab;

    // Sign in: the email field has the focus; Tab moves through the form; Enter submits.
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('signin-email');
    await page.keyboard.type(demo.admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(demo.admin.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // The first Tab reaches the skip link; following it puts the focus on the content.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a: Skip to content');
    expect(await outlineOfFocused(page)).toMatch(/^solid [1-9]/);
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');

    // Through the navigation to Users: the new screen's heading gets the focus.
    await page.getByRole('link', { name: 'Users', exact: true }).focus();
    expect(await outlineOfFocused(page)).toMatch(/^solid [1-9]/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    expect(await focused(page)).toBe('h1: Users');

    // Search and open a user with the keyboard.
    await page.getByLabel('Email starts with').focus();
    await page.keyboard.type(kim.email);
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: kim.email });
    await link.waitFor();
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Kim Keyboard' }).waitFor();

    // A confirmation dialog: focus starts on Cancel, Tab cycles inside, Escape closes and gives the focus back.
    const disable = page.getByRole('button', { name: 'Disable user' });
    await disable.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog', { name: 'Disable this user?' }).waitFor();
    expect(await focused(page)).toBe('button: Cancel');
    const seen = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      seen.add(await focused(page));
      expect(await page.evaluate<boolean>(`!!document.activeElement.closest('dialog[open]')`)).toBe(true);
    }
    expect([...seen].sort()).toEqual(['button: Cancel', 'button: Close', 'button: Disable user']);
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate<boolean>(`!!document.activeElement.closest('dialog[open]')`)).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('button: Disable user');
    expect((await as(demo.admin).get(`/v1/admin/users/${kim.userId}`)).body.user.status).toBe('active');
    expect(tab.problems).toEqual([]);
    await tab.close();
  });
});
