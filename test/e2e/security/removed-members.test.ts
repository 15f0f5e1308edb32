// Attacks on a project's confidentiality by someone who is no longer in it: a member who was removed (or who left)
// must not keep learning about the project's tasks through notifications or email, nor keep reading the tasks that
// were assigned to them. Everything downstream of the table is asynchronous, so assertions wait for what a person
// would eventually see, and "nothing arrives" is checked once the remaining member has received the same events.
import { describe, expect, it } from 'vitest';
import { as, newUser, type TestUser } from '#test/support/api-client';
import { WAIT, auditOf, mailTo, notificationsOf, settled } from '#test/support/e2e-events';
import { idsOf } from '#test/support/e2e-helpers';

/** The pipeline and the reminder schedule (real waits of a few seconds) together. */
const SLOW = { timeout: 60_000, interval: 500 };
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/** PATCH with the task's current version, read again when another change (e.g. an unassignment) got in between. */
const patchCurrent = async (who: TestUser, taskId: string, patch: Record<string, unknown>) => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await as(who).get(`/v1/tasks/${taskId}`);
    expect(current).toHaveStatus(200);
    const res = await as(who).patch(`/v1/tasks/${taskId}`, { ...patch, version: current.body.version });
    if (res.status !== 409) {
      expect(res).toHaveStatus(200);
      return res.body;
    }
  }
  throw new Error(`PATCH /v1/tasks/${taskId} kept conflicting`);
};

const typesOf = async (user: TestUser) => (await notificationsOf(user)).map((n) => n.type).sort();

/**
 * An owner, a member who goes (`remove` takes them out) and a member who stays. Each member has a task they created
 * and are assigned; the owner also assigned the leaver a task. After the removal the owner reschedules, reminds,
 * lets run overdue and completes both members' tasks: the one who stays hears of each step, the one who went of none.
 */
const removedMemberHearsNothing = async (remove: (ctx: { owner: TestUser; gone: TestUser; projectId: string }) => Promise<void>) => {
  const owner = await newUser({ name: 'Olivia Owner' });
  const gone = await newUser({ name: 'Gus Gone' });
  const stays = await newUser({ name: 'Stella Stays' });
  const project = await as(owner).post('/v1/projects', { name: 'Confidential launch' });
  const projectId = project.body.id as string;
  for (const member of [gone, stays]) {
    expect(await as(owner).post(`/v1/projects/${projectId}/members`, { email: member.email, role: 'editor' })).toHaveStatus(201);
  }
  const later = inSeconds(86_400);
  const goneTask = await as(gone).post('/v1/tasks', { title: 'Gus: acquisition memo', projectId, assigneeId: gone.userId, dueAt: later });
  const staysTask = await as(stays).post('/v1/tasks', { title: 'Stella: acquisition memo', projectId, assigneeId: stays.userId, dueAt: later });
  const assigned = await as(owner).post('/v1/tasks', { title: 'Price list for Gus', projectId, assigneeId: gone.userId });
  for (const res of [goneTask, staysTask, assigned]) expect(res).toHaveStatus(201);

  // Before leaving, the member was told they were added and assigned, in-app and by email.
  await expect.poll(() => typesOf(gone), WAIT).toEqual(['MemberAdded', 'TaskAssigned']);
  await expect.poll(async () => (await mailTo(gone)).length, WAIT).toBe(2);
  const inboxBefore = (await notificationsOf(gone)).map((n) => n.id).sort();

  await remove({ owner, gone, projectId });

  // Update: a new due date in a few seconds with a reminder before it; then the reminder and the overdue notice fire.
  for (const task of [goneTask.body, staysTask.body]) {
    await patchCurrent(owner, task.id, { title: `${task.title} (final)`, dueAt: inSeconds(8), reminders: [{ before: 'PT4S' }] });
  }
  await patchCurrent(owner, assigned.body.id, { title: 'Price list (final)', priority: 'urgent' });
  await expect.poll(() => typesOf(stays), SLOW).toEqual(['MemberAdded', 'ReminderDue', 'TaskOverdue', 'TaskUpdated']);
  // Completion.
  for (const task of [goneTask.body, staysTask.body, assigned.body]) await patchCurrent(owner, task.id, { status: 'done' });
  await expect.poll(() => typesOf(stays), SLOW).toEqual(['MemberAdded', 'ReminderDue', 'TaskCompleted', 'TaskOverdue', 'TaskUpdated']);
  await expect.poll(async () => (await mailTo(stays)).length, WAIT).toBe(5);

  expect((await settled(() => notificationsOf(gone))).map((n) => n.id).sort()).toEqual(inboxBefore);
  const mail = await settled(() => mailTo(gone));
  expect(mail.map((m) => m.subject)).toHaveLength(2);
  expect(mail.map((m) => `${m.subject}\n${m.body.text ?? ''}`).join('\n')).not.toMatch(/final|urgent|Reminder|overdue|completed/);
};

describe('a member removed from a project', () => {
  it('gets no notification and no email when its tasks are updated, reminded, overdue or completed; a remaining member does', async () => {
    await removedMemberHearsNothing(async ({ owner, gone, projectId }) => {
      expect(await as(owner).delete(`/v1/projects/${projectId}/members/${gone.userId}`)).toHaveStatus(204);
    });
  });

  it('who left it gets no notification and no email of its tasks either', async () => {
    await removedMemberHearsNothing(async ({ gone, projectId }) => {
      expect(await as(gone).delete(`/v1/projects/${projectId}/members/${gone.userId}`)).toHaveStatus(204);
    });
  });

  it("loses their open tasks there: they become unassigned on behalf of whoever removed them, and the removed member cannot read them", async () => {
    const owner = await newUser();
    const gone = await newUser();
    const [project, other] = [await as(owner).post('/v1/projects', { name: 'Kept secret' }), await as(owner).post('/v1/projects', { name: 'Still here' })];
    for (const p of [project, other]) expect(await as(owner).post(`/v1/projects/${p.body.id}/members`, { email: gone.email, role: 'editor' })).toHaveStatus(201);
    const create = (title: string, projectId: string, extra: Record<string, unknown> = {}) =>
      as(owner).post('/v1/tasks', { title, projectId, assigneeId: gone.userId, ...extra }).then((res) => (expect(res).toHaveStatus(201), res.body));
    const open = await create('Open secret', project.body.id, { dueAt: inSeconds(86_400) });
    const started = await create('Started secret', project.body.id, { status: 'in_progress' });
    const finished = await create('Finished secret', project.body.id, { status: 'done' });
    const elsewhere = await create('Other project', other.body.id);
    expect(await idsOf(as(gone), '/v1/tasks?assigneeId=me')).toEqual([open.id, started.id, finished.id, elsewhere.id].sort());

    const removed = await as(owner).delete(`/v1/projects/${project.body.id}/members/${gone.userId}`);
    expect(removed).toHaveStatus(204);

    // At once: the removed member reads none of them, directly or through their list.
    for (const task of [open, started, finished]) expect(await as(gone).get(`/v1/tasks/${task.id}`)).toHaveStatus(404);
    expect(await idsOf(as(gone), '/v1/tasks?assigneeId=me')).toEqual([elsewhere.id]);
    // Soon: the open ones are unassigned; a done task keeps who did it; the other project is untouched.
    for (const task of [open, started]) {
      await expect.poll(async () => (await as(owner).get(`/v1/tasks/${task.id}`)).body.assigneeId, WAIT).toBeNull();
    }
    expect((await as(owner).get(`/v1/tasks/${finished.id}`)).body.assigneeId).toBe(gone.userId);
    expect((await as(gone).get(`/v1/tasks/${elsewhere.id}`)).body.assigneeId).toBe(gone.userId);
    expect(await idsOf(as(owner), `/v1/tasks?projectId=${project.body.id}&assigneeId=${gone.userId}`)).toEqual([finished.id]);

    // The task's history says why: the owner's change, in the request that removed the member.
    const [removal] = await settled(() => auditOf({ entityType: 'Membership', entityId: `${project.body.id}:${gone.userId}` }).then((r) => r.filter((x) => x.type === 'MemberRemoved')));
    expect(removal).toBeDefined();
    await expect.poll(async () => (await auditOf({ entityType: 'Task', entityId: open.id })).some((r) => r.type === 'TaskUpdated'), WAIT).toBe(true);
    const unassigned = (await auditOf({ entityType: 'Task', entityId: open.id })).find((r) => r.type === 'TaskUpdated');
    expect(unassigned).toMatchObject({ actor: { userId: owner.userId }, requestId: removal!.requestId, changes: [{ field: 'assigneeId', before: gone.userId, after: null }] });
  });
});
