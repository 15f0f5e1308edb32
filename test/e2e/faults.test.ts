// Faults lose nothing, over the local stack: SES failing for a while only delays mail; a message that keeps
// failing is parked in its queue's DLQ after maxReceiveCount receives, an operator sees it with `npm run dlq`
// and redrives it once the cause is fixed. The e2e stack compresses the visibility timeout to 2 s.
// The SES faults are global to the stack, so these tests run one after the other in this one file.
import { afterEach, describe, expect, it } from 'vitest';
import { as, newUser } from '#test/support/api-client';
import { clearSesFaults, sesFaults, setSesFaults } from '#test/support/local-stack';
import { WAIT, mailTo, notificationsOf, npmRunDlq, settled } from '#test/support/e2e-events';
import { queues } from '#shared/events/queues';

const NOTIFICATIONS_DLQ = 'taskwell-notifications-dlq';
const maxReceiveCount = queues.find((q) => q.name === 'notifications')!.maxReceiveCount;

const dlqCount = async (name: string): Promise<number> => {
  const { code, stdout, stderr } = await npmRunDlq('list', '--json');
  expect(code, stderr).toBe(0);
  const row = (JSON.parse(stdout) as { name: string; messages: number }[]).find((r) => r.name === name);
  expect(row, `${name} in ${stdout}`).toBeDefined();
  return row!.messages;
};

describe('faults lose nothing', () => {
  afterEach(clearSesFaults);

  it('delivers an email later, once, when SES fails for a while', async () => {
    const alice = await newUser();
    const carol = await newUser();
    await setSesFaults({ failFor: [carol.email], code: 'TooManyRequestsException', status: 429 });
    const project = await as(alice).post('/v1/projects', { name: 'Flaky mail' });
    await as(alice).post(`/v1/projects/${project.body.id}/members`, { email: carol.email, role: 'viewer' });
    // The in-app notification is there at once; the email keeps failing.
    await expect.poll(async () => (await notificationsOf(carol)).length, WAIT).toBe(1);
    await expect.poll(async () => (await sesFaults()).failed, WAIT).toBeGreaterThanOrEqual(2);
    expect(await mailTo(carol)).toEqual([]);

    await clearSesFaults();
    await expect.poll(async () => (await mailTo(carol)).length, WAIT).toBe(1);
    expect(await settled(() => mailTo(carol))).toHaveLength(1);
    expect(await notificationsOf(carol)).toHaveLength(1);
  });

  it('parks a message that keeps failing in the DLQ, shows it to the operator, and redrives it once fixed', async () => {
    const alice = await newUser();
    const dora = await newUser({ name: 'Dora' });
    const before = await dlqCount(NOTIFICATIONS_DLQ);
    // SES refuses Dora's address outright (not retryable): every receive of the message fails.
    await setSesFaults({ failFor: [dora.email], code: 'MessageRejected', status: 400 });
    const project = await as(alice).post('/v1/projects', { name: 'Poison' });
    await as(alice).post(`/v1/projects/${project.body.id}/members`, { email: dora.email, role: 'editor' });

    await expect.poll(() => dlqCount(NOTIFICATIONS_DLQ), { timeout: 60_000, interval: 1_000 }).toBe(before + 1);
    // Received exactly maxReceiveCount times before SQS moved it.
    expect((await sesFaults()).failed).toBe(maxReceiveCount);
    const shown = await npmRunDlq('show', NOTIFICATIONS_DLQ, '--json', '--max', '50');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('MemberAdded');
    expect(shown.stdout).toContain(`${project.body.id}:${dora.userId}`);
    expect(await mailTo(dora)).toEqual([]);

    // Without --yes and without a terminal, nothing moves.
    const refused = await npmRunDlq('redrive', NOTIFICATIONS_DLQ);
    expect(refused.code).not.toBe(0);
    expect(await dlqCount(NOTIFICATIONS_DLQ)).toBe(before + 1);

    // The cause is fixed; the operator redrives.
    await clearSesFaults();
    const redriven = await npmRunDlq('redrive', NOTIFICATIONS_DLQ, '--yes');
    expect(redriven.code, redriven.stdout + redriven.stderr).toBe(0);
    await expect.poll(async () => (await mailTo(dora)).length, WAIT).toBe(1);
    expect(await settled(() => mailTo(dora))).toHaveLength(1);
    expect(await notificationsOf(dora)).toHaveLength(1);
    expect(await dlqCount(NOTIFICATIONS_DLQ)).toBe(0);
  });
});
