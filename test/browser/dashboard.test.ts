// The dashboard in Chromium: tasks created and completed through the API show up in the admin stats, and the
// console draws them as charts (canvas pixels in the series' colours) with the same numbers in its data tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { as, demo, newUser } from '#test/support/api-client';
import { WAIT } from '#test/support/e2e-events';
import { COLORS } from '../../console/src/palette.ts';
import { launchBrowser, openConsole, paintedPixels, pixelsOfColour, rgbOf, signedIn, signIn } from './browser';

interface Stats {
  generatedAt: string;
  days: { date: string; created: number; completed: number }[];
  openByPriority: Record<'low' | 'medium' | 'high' | 'urgent', number>;
  overdue: number;
  notificationsSent: number;
  emailsSent: number;
  dlqs: { name: string; messages: number }[];
}

const stats = async (): Promise<Stats> => {
  const res = await as(demo.admin).get<Stats>('/v1/admin/stats');
  expect(res).toHaveStatus(200);
  return res.body;
};
const today = (s: Stats) => s.days[s.days.length - 1]!;

describe('the dashboard', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('charts the tasks created and completed per day, open tasks by priority and the DLQ depths, with data seeded through the API', async () => {
    const before = await stats();
    expect(before.days).toHaveLength(30);

    // Seed through the API: 4 urgent and 2 low tasks, 2 of the urgent ones completed.
    const owner = await newUser({ name: 'Dashboard Seeder' });
    const created = [];
    for (const priority of ['urgent', 'urgent', 'urgent', 'urgent', 'low', 'low']) {
      const res = await as(owner).post('/v1/tasks', { title: `Chart me (${priority})`, priority });
      expect(res).toHaveStatus(201);
      created.push(res.body as { id: string; version: number });
    }
    for (const task of created.slice(0, 2)) expect(await as(owner).patch(`/v1/tasks/${task.id}`, { status: 'done', version: task.version })).toHaveStatus(200);

    // The counters are precomputed from the event stream: wait until they show the seeded tasks.
    await expect
      .poll(async () => {
        const now = await stats();
        return {
          created: today(now).created - today(before).created >= 6,
          completed: today(now).completed - today(before).completed >= 2,
          urgent: now.openByPriority.urgent - before.openByPriority.urgent >= 2,
          low: now.openByPriority.low - before.openByPriority.low >= 2,
        };
      }, WAIT)
      .toEqual({ created: true, completed: true, urgent: true, low: true });

    const tab = await openConsole(browser);
    const { page } = tab;
    const response = page.waitForResponse((r) => r.url().endsWith('/v1/admin/stats') && r.status() === 200);
    await signIn(page, demo.admin);
    // What the console was given: the charts and counters must show exactly this.
    const shown = (await (await response).json()) as Stats;
    expect(today(shown).created).toBeGreaterThanOrEqual(today(before).created + 6);
    await page.locator('[data-testid=chart-activity] canvas').waitFor();

    // Counters.
    const counter = async (id: string) => Number((await page.locator(`[data-testid=${id}] .counter-value`).textContent())?.replace(/\D/g, ''));
    const open = shown.openByPriority.low + shown.openByPriority.medium + shown.openByPriority.high + shown.openByPriority.urgent;
    expect(await counter('counter-open')).toBe(open);
    expect(await counter('counter-overdue')).toBe(shown.overdue);
    expect(await counter('counter-notifications')).toBe(shown.notificationsSent);
    expect(await counter('counter-emails')).toBe(shown.emailsSent);

    // Tasks per day: 30 rows, today's last, with the numbers of the stats.
    const rows = page.locator('[data-testid=chart-activity] tbody tr');
    expect(await rows.count()).toBe(30);
    const cells = await rows.last().locator('td').allTextContents();
    expect(cells.map(Number)).toEqual([today(shown).created, today(shown).completed]);
    // The lines were drawn, and rise into the top half of the chart (a day with tasks is the scale's maximum).
    expect(await paintedPixels(page, '[data-testid=chart-activity] canvas')).toBeGreaterThan(1_000);
    expect(await pixelsOfColour(page, '[data-testid=chart-activity] canvas', rgbOf(COLORS.created), { topFraction: 0.5 })).toBeGreaterThan(10);
    expect(await pixelsOfColour(page, '[data-testid=chart-activity] canvas', rgbOf(COLORS.completed), { topFraction: 0.9 })).toBeGreaterThan(10);

    // Open tasks by priority: the urgent and low bars are there.
    const priorities = await page.locator('[data-testid=chart-priority] tbody td').allTextContents();
    expect(priorities.map(Number)).toEqual([shown.openByPriority.low, shown.openByPriority.medium, shown.openByPriority.high, shown.openByPriority.urgent]);
    expect(await pixelsOfColour(page, '[data-testid=chart-priority] canvas', rgbOf(COLORS.urgent))).toBeGreaterThan(200);
    expect(await pixelsOfColour(page, '[data-testid=chart-priority] canvas', rgbOf(COLORS.low))).toBeGreaterThan(200);

    // DLQ depths: one bar per DLQ of the stats.
    const dlqRows = page.locator('[data-testid=chart-dlqs] tbody tr');
    expect(await dlqRows.locator('th').allTextContents()).toEqual(shown.dlqs.map((q) => q.name));
    expect((await dlqRows.locator('td').allTextContents()).map(Number)).toEqual(shown.dlqs.map((q) => q.messages));
    expect(await paintedPixels(page, '[data-testid=chart-dlqs] canvas')).toBeGreaterThan(500);

    // Screen readers get a summary of each chart.
    expect(await page.locator('[data-testid=chart-activity] canvas').getAttribute('aria-label')).toMatch(/\d+ tasks were created and \d+ completed/);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('shows an error state with a retry when the stats cannot be loaded', async () => {
    const tab = await signedIn(browser, demo.admin);
    const { page } = tab;
    await page.locator('[data-testid=chart-activity] canvas').waitFor();
    // The API fails once; the console says so and recovers on "Try again".
    let failures = 0;
    await page.route('**/v1/admin/stats', (route) => {
      failures += 1;
      return failures === 1
        ? route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Service unavailable', status: 503, detail: 'Try again in a moment.' }) })
        : route.continue();
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Could not load the statistics. Try again in a moment.');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await alert.waitFor({ state: 'detached' });
    expect(failures).toBe(2);
    await tab.close();
  });
});
