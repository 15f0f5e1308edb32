// Due-date reminders over the local stack, with real waits of a few seconds: the scheduler consumer starts a Step
// Functions execution per schedule (local runner of the deployed definition), which wakes the reminder function
// at each instant; the stream announces ReminderDue / TaskOverdue, and the notification pipeline tells the person.
import { describe, expect, it } from 'vitest';
import { as, newUser, type TestUser } from '#test/support/api-client';
import { WAIT, mailTo, notificationsOf, settled } from '#test/support/e2e-events';

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ofType = async (user: TestUser, type: string) => (await notificationsOf(user)).filter((n) => n.type === type);

describe('due-date reminders', () => {
  it('reminds the assignee once, by notification and email, and marks the task overdue at its due time', async () => {
    const alice = await newUser({ name: 'Alice' });
    const bob = await newUser({ name: 'Bob' });
    const project = await as(alice).post('/v1/projects', { name: 'Deadlines' });
    await as(alice).post(`/v1/projects/${project.body.id}/members`, { email: bob.email, role: 'editor' });
    const created = await as(alice).post('/v1/tasks', {
      title: 'File the <taxes>',
      projectId: project.body.id,
      assigneeId: bob.userId,
      dueAt: inSeconds(9),
      reminders: [{ before: 'PT5S' }],
    });
    expect(created.status).toBe(201);
    expect(created.body.reminders).toEqual([{ before: 'PT5S', at: expect.any(String), status: 'scheduled', sentAt: null }]);
    expect(created.body.overdue).toBe(false);

    await expect.poll(async () => (await ofType(bob, 'ReminderDue')).length, WAIT).toBe(1);
    const [reminder] = await ofType(bob, 'ReminderDue');
    expect(reminder!.title).toMatch(/^Reminder: “File the <taxes>” is due /);
    expect(await ofType(alice, 'ReminderDue')).toEqual([]);
    const afterReminder = await as(bob).get(`/v1/tasks/${created.body.id}`);
    expect(afterReminder.body.reminders[0]).toMatchObject({ status: 'sent', sentAt: expect.any(String) });

    await expect.poll(async () => (await as(bob).get(`/v1/tasks/${created.body.id}`)).body.overdue, WAIT).toBe(true);
    await expect.poll(async () => (await ofType(bob, 'TaskOverdue')).length, WAIT).toBe(1);
    const mails = await settled(() => mailTo(bob));
    expect(mails.filter((m) => m.subject.startsWith('Taskwell: Reminder:'))).toHaveLength(1);
    expect(mails.filter((m) => m.subject.includes('is overdue'))).toHaveLength(1);
    expect(mails.find((m) => m.subject.startsWith('Taskwell: Reminder:'))!.body.html).toContain('File the &lt;taxes&gt;');
    expect(await settled(() => ofType(bob, 'ReminderDue'))).toHaveLength(1);
  });

  it('never fires a reminder of a due date that moved, and fires the new one instead', async () => {
    const alice = await newUser();
    const created = await as(alice).post('/v1/tasks', { title: 'Moving target', dueAt: inSeconds(6), reminders: [{ before: 'PT3S' }] });
    const oldAt = created.body.reminders[0].at as string;
    const moved = await as(alice).patch(`/v1/tasks/${created.body.id}`, { dueAt: inSeconds(3600), version: created.body.version });
    expect(moved.status).toBe(200);
    expect(moved.body.reminders).toEqual([{ before: 'PT3S', at: expect.not.stringMatching(oldAt), status: 'scheduled', sentAt: null }]);
    // Well past the old reminder and the old due date.
    await sleep(Math.max(0, Date.parse(created.body.dueAt) - Date.now()) + 4_000);
    expect(await settled(() => notificationsOf(alice))).toEqual([]);
    const task = await as(alice).get(`/v1/tasks/${created.body.id}`);
    expect(task.body.reminders[0].status).toBe('scheduled');
    expect(task.body.overdue).toBe(false);
  });

  it('fires nothing for a task completed before its reminders', async () => {
    const alice = await newUser();
    const created = await as(alice).post('/v1/tasks', { title: 'Done early', dueAt: inSeconds(5), reminders: [{ before: 'PT3S' }, { before: 'PT1S' }] });
    const done = await as(alice).patch(`/v1/tasks/${created.body.id}`, { status: 'done', version: created.body.version });
    expect(done.body.reminders.map((r: { status: string }) => r.status)).toEqual(['cancelled', 'cancelled']);
    await sleep(Math.max(0, Date.parse(created.body.dueAt) - Date.now()) + 4_000);
    expect(await settled(() => notificationsOf(alice))).toEqual([]);
    expect(await mailTo(alice)).toEqual([]);
    expect((await as(alice).get(`/v1/tasks/${created.body.id}`)).body.overdue).toBe(false);
  });

  it('says which reminders it skipped because their time had passed, and refuses bad reminders', async () => {
    const alice = await newUser();
    const task = await as(alice).post('/v1/tasks', { title: 'Soon', dueAt: inSeconds(1800), reminders: [{ before: 'P1D' }, { before: 'PT15M' }] });
    expect(task.body.reminders.map((r: { before: string; status: string }) => [r.before, r.status])).toEqual([
      ['P1D', 'skipped'],
      ['PT15M', 'scheduled'],
    ]);
    const bad = [
      { title: 'x', dueAt: inSeconds(3600), reminders: Array.from({ length: 6 }, (_, i) => ({ before: `PT${i + 1}M` })) },
      { title: 'x', dueAt: inSeconds(3600), reminders: [{ before: 'one hour' }] },
      { title: 'x', dueAt: inSeconds(3600), reminders: [{ before: 'P1M' }] },
      { title: 'x', reminders: [{ before: 'PT1H' }] },
    ];
    for (const body of bad) expect((await as(alice).post('/v1/tasks', body)).status, JSON.stringify(body)).toBe(400);
  });

  it('gives a dated task the reminders of its creator\'s settings', async () => {
    const alice = await newUser();
    const settings = await as(alice).get('/v1/me/notification-settings');
    expect(settings.body.defaultReminders).toEqual([{ before: 'PT1H' }]);
    await as(alice).put('/v1/me/notification-settings', { defaultReminders: [{ before: 'P1D' }, { before: 'PT2H' }], version: settings.body.version });
    const task = await as(alice).post('/v1/tasks', { title: 'Defaults', dueAt: inSeconds(7 * 86_400) });
    expect(task.body.reminders.map((r: { before: string }) => r.before)).toEqual(['P1D', 'PT2H']);
    const undated = await as(alice).post('/v1/tasks', { title: 'No date' });
    expect(undated.body.reminders).toEqual([]);
  });
});
