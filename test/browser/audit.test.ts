// The audit log in Chromium: a change made through the API is found by entity, by actor and time range, pages
// follow nextCursor, and one record opens to show each changed field before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { as, demo, newUser } from '#test/support/api-client';
import { WAIT, auditOf } from '#test/support/e2e-events';
import { consoleUrl, focused, launchBrowser, signedIn } from './browser';

/** `<input type="datetime-local">` value of an instant (the browser context runs in UTC). */
const localInput = (date: Date) => date.toISOString().slice(0, 16);

describe('the audit log in the admin console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('finds a change made through the API and shows each changed field before and after', async () => {
    const alice = await newUser({ name: 'Alice Audited' });
    const started = new Date(Date.now() - 60_000);
    const task = await as(alice).post('/v1/tasks', { title: 'Audit me in the browser', priority: 'low' });
    expect(task).toHaveStatus(201);
    const changed = await as(alice).patch(`/v1/tasks/${task.body.id}`, { priority: 'urgent', title: 'Audited in the browser', version: task.body.version });
    expect(changed).toHaveStatus(200);
    await expect.poll(async () => (await auditOf({ entityType: 'Task', entityId: task.body.id })).length, WAIT).toBe(2);

    const tab = await signedIn(browser, demo.admin, { path: 'audit' });
    const { page } = tab;
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByLabel('Entity type').selectOption('Task');
    await page.getByLabel('Entity id').fill(task.body.id);
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('region', { name: 'Audit records' });
    await table.getByRole('button', { name: 'TaskUpdated' }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('tbody td:nth-child(2)').allTextContents()).toEqual(['TaskUpdated', 'TaskCreated']);
    // The search is in the address: it can be shared, and a reload shows it again.
    expect(new URL(page.url()).searchParams.get('entityId')).toBe(task.body.id);

    // Open the update: each changed field with its value before and after.
    await table.getByRole('button', { name: 'TaskUpdated' }).click();
    const dialog = page.getByRole('dialog', { name: 'TaskUpdated · Task' });
    await dialog.waitFor();
    const rows = dialog.getByTestId('audit-changes').locator('tbody tr');
    const changes = await rows.evaluateAll((trs: any[]) => trs.map((tr) => [...tr.children].map((cell: any) => cell.textContent)));
    expect(changes).toEqual(
      expect.arrayContaining([
        ['priority', 'low', 'urgent'],
        ['title', 'Audit me in the browser', 'Audited in the browser'],
      ]),
    );
    expect(await dialog.getByRole('link', { name: alice.userId }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('button: TaskUpdated');

    // By actor and time range: Alice's changes since just before the test.
    await page.goto(consoleUrl('audit'));
    await page.getByLabel('Actor (user id)').fill(alice.userId);
    await page.getByLabel('From', { exact: true }).fill(localInput(started));
    await page.getByLabel('To', { exact: true }).fill(localInput(new Date(Date.now() + 120_000)));
    await page.getByRole('button', { name: 'Search' }).click();
    await table.getByRole('button', { name: 'TaskCreated' }).waitFor();
    const types = await table.locator('tbody td:nth-child(2)').allTextContents();
    expect(types).toEqual(expect.arrayContaining(['TaskUpdated', 'TaskCreated']));
    expect(await table.locator('tbody td:nth-child(4)').allTextContents()).toEqual(types.map(() => alice.userId));

    // A range that ends before the change: nothing, and the empty state says so.
    await page.getByLabel('To', { exact: true }).fill(localInput(new Date(started.getTime() - 3_600_000)));
    await page.getByLabel('From', { exact: true }).fill(localInput(new Date(started.getTime() - 7_200_000)));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No audit records match these filters.').waitFor();

    // From after To is caught before asking the API.
    await page.getByLabel('From', { exact: true }).fill(localInput(new Date()));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('alert').getByText('“From” must be before “To”.').waitFor();
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('pages through the results with "Load more"', async () => {
    const busy = await newUser({ name: 'Busy Bee' });
    const count = 27;
    for (let i = 0; i < count; i += 1) expect(await as(busy).post('/v1/tasks', { title: `Busy task ${i}` })).toHaveStatus(201);
    await expect.poll(async () => (await auditOf({ actorId: busy.userId, entityType: 'Task' })).length, { ...WAIT, timeout: 60_000 }).toBe(count);

    const tab = await signedIn(browser, demo.admin, { path: `audit?entityType=Task&actorId=${busy.userId}` });
    const { page } = tab;
    const table = page.getByRole('region', { name: 'Audit records' });
    await table.locator('tbody tr').first().waitFor();
    const first = await table.locator('tbody tr').count();
    expect(first).toBeLessThan(count);
    const more = page.getByRole('button', { name: 'Load more records' });
    while (await more.count()) {
      const shown = await table.locator('tbody tr').count();
      await more.click();
      await page.waitForFunction(
        (before: number) => {
          const document = (globalThis as any).document;
          return document.querySelectorAll('[aria-label="Audit records"] tbody tr').length > before || !document.querySelector('.load-more button');
        },
        shown,
      );
    }
    expect(await table.locator('tbody tr').count()).toBe(count);
    const entityIds = await table.locator('tbody td:nth-child(3) code').allTextContents();
    expect(new Set(entityIds).size).toBe(count);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });
});
