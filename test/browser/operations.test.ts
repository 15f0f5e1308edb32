// Operations in Chromium: a message parked in the audit DLQ shows up with its depth and its body, the redrive asks
// for confirmation, moves it back to its queue (the audit consumer then records it) and leaves the DLQ empty.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseDomainEvent } from '#shared/events/schemas';
import { asTargetEvent } from '#local/eventbridge';
import { as, demo, newUser } from '#test/support/api-client';
import { WAIT, auditOf } from '#test/support/e2e-events';
import { localStack } from '#test/support/local-stack';
import { COLORS } from '../../console/src/palette.ts';
import { consoleUrl, focused, launchBrowser, pixelsOfColour, rgbOf, signedIn } from './browser';

const AUDIT_DLQ = 'taskwell-audit-dlq';

interface Dlq {
  name: string;
  kind: string;
  messages: number;
  redrivesTo: string;
}

const dlqs = async (): Promise<Dlq[]> => {
  const res = await as(demo.admin).get<{ items: Dlq[] }>('/v1/admin/dlqs');
  expect(res).toHaveStatus(200);
  return res.body.items;
};
const depth = async (name: string) => (await dlqs()).find((q) => q.name === name)?.messages;

/** Parks a valid domain event, in the EventBridge envelope its rule target sends, in the audit DLQ. */
const parkAuditEvent = async (actorId: string) => {
  const sqs = new SQSClient({ endpoint: localStack().sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const taskId = `browser-redrive-${randomUUID()}`;
    const occurredAt = new Date().toISOString();
    const detail = parseDomainEvent({
      id: `${taskId}:created`,
      type: 'TaskCreated',
      version: 1,
      occurredAt,
      actor: { userId: actorId },
      requestId: `browser-${randomUUID()}`,
      entity: { type: 'Task', id: taskId },
      projectId: null,
      before: null,
      after: { id: taskId, title: 'Parked, then redriven', priority: 'high', status: 'open' },
      changes: [{ field: 'title', before: null, after: 'Parked, then redriven' }],
    });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: AUDIT_DLQ }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(asTargetEvent(detail)) }));
    return { taskId, eventId: detail.id };
  } finally {
    sqs.destroy();
  }
};

describe('operations in the admin console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows a parked message and redrives it after confirmation, leaving the DLQ empty', async () => {
    const owner = await newUser({ name: 'Redrive Owner' });
    const before = (await depth(AUDIT_DLQ)) ?? 0;
    const parked = await parkAuditEvent(owner.userId);
    await expect.poll(() => depth(AUDIT_DLQ), WAIT).toBe(before + 1);

    const tab = await signedIn(browser, demo.admin);
    const { page } = tab;
    // The dashboard draws the parked message as a red bar.
    await page.locator('[data-testid=chart-dlqs] canvas').waitFor();
    expect(await pixelsOfColour(page, '[data-testid=chart-dlqs] canvas', rgbOf(COLORS.dlqFull))).toBeGreaterThan(50);
    await page.getByRole('link', { name: 'Review and redrive in Operations' }).click();

    // The DLQ list with its depth.
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
    const row = page.locator(`tr[data-dlq="${AUDIT_DLQ}"]`);
    expect(Number(await row.getByTestId('dlq-messages').textContent())).toBe(before + 1);
    expect(await row.locator('td:nth-child(4)').textContent()).toBe('taskwell-audit');

    // Its messages: the parked event.
    await row.getByRole('link', { name: AUDIT_DLQ }).click();
    await page.getByRole('heading', { level: 1, name: AUDIT_DLQ }).waitFor();
    const message = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: parked.eventId });
    await message.waitFor();
    expect(await message.locator('.message-head strong').textContent()).toBe('TaskCreated');
    await message.locator('summary').click();
    expect(await message.locator('pre').textContent()).toContain('Parked, then redriven');

    // Redrive: Cancel first (nothing moves), then confirm.
    await page.getByRole('button', { name: `Redrive ${AUDIT_DLQ}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Redrive ${AUDIT_DLQ}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('back to taskwell-audit');
    expect(await focused(page)).toBe('button: Cancel');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await depth(AUDIT_DLQ)).toBe(before + 1);

    await page.getByRole('button', { name: `Redrive ${AUDIT_DLQ}` }).click();
    await dialog.getByRole('button', { name: /^Redrive \d+ messages?$/ }).click();
    const result = page.getByTestId('redrive-result');
    await result.waitFor();
    expect(await result.textContent()).toBe(`Moved ${before + 1} ${before + 1 === 1 ? 'message' : 'messages'} back to taskwell-audit.`);
    await page.getByText('This queue is empty: nothing is waiting for a redrive.').waitFor();

    // The DLQ is empty, and the audit consumer recorded the redriven event.
    expect(await depth(AUDIT_DLQ)).toBe(0);
    await expect.poll(async () => (await auditOf({ entityType: 'Task', entityId: parked.taskId })).map((r) => r.id), WAIT).toEqual([parked.eventId]);
    await page.goto(consoleUrl('operations'));
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
    expect(Number(await page.locator(`tr[data-dlq="${AUDIT_DLQ}"]`).getByTestId('dlq-messages').textContent())).toBe(0);
    expect(await page.getByRole('button', { name: `Redrive ${AUDIT_DLQ}` }).isDisabled()).toBe(true);
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('says so when a DLQ does not exist', async () => {
    const tab = await signedIn(browser, demo.admin, { path: 'operations/taskwell-no-such-dlq' });
    await tab.page.getByText('There is no dead-letter queue with this name.').waitFor();
    expect(tab.problems).toEqual([]);
    await tab.close();
  });
});
