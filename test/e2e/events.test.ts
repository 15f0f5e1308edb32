// The event pipeline end to end over the local stack: API → table stream → publisher → local EventBridge →
// SQS queues → audit and notification consumers → audit log, in-app notifications, and mail in the SES viewer.
// Everything here is asynchronous, so assertions wait for the state a person would eventually see.
import { describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { as, newUser } from '#test/support/api-client';
import { localStack } from '#test/support/local-stack';
import { WAIT, auditOf, mailTo, notificationsOf, settled } from '#test/support/e2e-events';
import { parseDomainEvent } from '#shared/events/schemas';
import { listAll } from '#test/support/e2e-helpers';

describe('the audit log over the local stack', () => {
  it('records exactly the events of N mutations made through the API, with actor, request and changes', async () => {
    const alice = await newUser({ name: 'Alice Audit' });
    const created = await as(alice).post('/v1/tasks', { title: 'Audit me', priority: 'low' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    let version = created.body.version as number;
    const patches = [{ priority: 'high' }, { title: 'Audit me twice' }, { status: 'done' }];
    const requestIds: string[] = [];
    for (const patch of patches) {
      const res = await as(alice).patch(`/v1/tasks/${id}`, { ...patch, version });
      expect(res.status).toBe(200);
      version = res.body.version;
      requestIds.push(res.headers['apigw-requestid'] ?? '');
    }
    expect((await as(alice).delete(`/v1/tasks/${id}`)).status).toBe(204);

    const expected = ['TaskCreated', 'TaskUpdated', 'TaskUpdated', 'TaskUpdated', 'TaskCompleted', 'TaskDeleted'];
    await expect.poll(async () => (await auditOf({ entityType: 'Task', entityId: id })).length, WAIT).toBe(expected.length);
    const records = await settled(() => auditOf({ entityType: 'Task', entityId: id }));
    expect(records.map((r) => r.type).sort()).toEqual([...expected].sort());
    expect(records.every((r) => r.actor.userId === alice.userId)).toBe(true);
    const priority = records.find((r) => r.type === 'TaskUpdated' && r.changes.some((c) => c.field === 'priority'));
    expect(priority?.changes).toEqual([{ field: 'priority', before: 'low', after: 'high' }]);
    if (requestIds[0]) expect(priority?.requestId).toBe(requestIds[0]);
    // The same records through the actor filter.
    const byActor = await auditOf({ actorId: alice.userId, entityType: 'Task' });
    expect(byActor.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
  });

  it('is for admins only', async () => {
    const user = await newUser();
    const res = await as(user).get('/v1/admin/audit');
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('notifications over the local stack', () => {
  it('tells the right people — never the actor — in the app and by email', async () => {
    const alice = await newUser({ name: 'Alice' });
    const bob = await newUser({ name: 'Bob <script>' });
    const project = await as(alice).post('/v1/projects', { name: 'Launch & Learn' });
    expect(project.status).toBe(201);
    expect((await as(alice).post(`/v1/projects/${project.body.id}/members`, { email: bob.email, role: 'editor' })).status).toBe(201);
    const task = await as(alice).post('/v1/tasks', { title: 'Ship <b>it</b>', projectId: project.body.id, assigneeId: bob.userId });
    expect(task.status).toBe(201);
    const changed = await as(alice).patch(`/v1/tasks/${task.body.id}`, { priority: 'urgent', version: task.body.version });
    expect(changed.status).toBe(200);
    const done = await as(bob).patch(`/v1/tasks/${task.body.id}`, { status: 'done', version: changed.body.version });
    expect(done.status).toBe(200);

    await expect.poll(async () => (await notificationsOf(bob)).length, WAIT).toBe(3);
    await expect.poll(async () => (await notificationsOf(alice)).length, WAIT).toBe(1);
    const bobs = await settled(() => notificationsOf(bob));
    expect(bobs.map((n) => n.type)).toEqual(['TaskUpdated', 'TaskAssigned', 'MemberAdded']);
    expect(bobs[0]!.details).toEqual(['priority: medium → urgent']);
    expect(bobs[2]!.title).toBe('Alice added you to “Launch & Learn” as editor');
    const alices = await settled(() => notificationsOf(alice));
    expect(alices.map((n) => n.title)).toEqual(['Bob <script> completed “Ship <b>it</b>”']);

    await expect.poll(async () => (await mailTo(bob)).length, WAIT).toBe(3);
    await expect.poll(async () => (await mailTo(alice)).length, WAIT).toBe(1);
    const [completion] = await mailTo(alice);
    expect(completion!.subject).toBe('Taskwell: Bob <script> completed “Ship <b>it</b>”');
    expect(completion!.body.html).toContain('Bob &lt;script&gt; completed “Ship &lt;b&gt;it&lt;/b&gt;”');
    expect(completion!.body.html).not.toContain('<script>');
    expect(completion!.body.text).toContain('Bob <script> completed “Ship <b>it</b>”.');

    // Read state.
    const first = bobs[0]!;
    expect((await as(bob).post(`/v1/notifications/${first.id}/read`)).status).toBe(200);
    expect((await listAll(as(bob), '/v1/notifications?unread=true')).items).toHaveLength(2);
    expect((await as(bob).post('/v1/notifications/read-all')).body).toEqual({ marked: 2, more: false });
    expect((await listAll(as(bob), '/v1/notifications?unread=true')).items).toHaveLength(0);
    expect((await as(alice).post(`/v1/notifications/${first.id}/read`)).status).toBe(404);
  });

  it('sends no email for a type the recipient turned off, but keeps the notification', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const settings = await as(bob).get('/v1/me/notification-settings');
    expect(settings.body.email.TaskAssigned).toBe(true);
    expect((await as(bob).put('/v1/me/notification-settings', { email: { TaskAssigned: false }, version: settings.body.version })).status).toBe(200);
    const project = await as(alice).post('/v1/projects', { name: 'Quiet' });
    await as(alice).post(`/v1/projects/${project.body.id}/members`, { email: bob.email, role: 'viewer' });
    await as(alice).post('/v1/tasks', { title: 'Silent', projectId: project.body.id, assigneeId: bob.userId });
    await expect.poll(async () => (await notificationsOf(bob)).map((n) => n.type).sort(), WAIT).toEqual(['MemberAdded', 'TaskAssigned']);
    const mails = await settled(() => mailTo(bob));
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining('added you to')]);
  });

  it('makes no second audit record, notification or email when an event is delivered again', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const project = await as(alice).post('/v1/projects', { name: 'Twice' });
    await as(alice).post(`/v1/projects/${project.body.id}/members`, { email: bob.email, role: 'editor' });
    await expect.poll(async () => (await mailTo(bob)).length, WAIT).toBe(1);
    const [record] = await auditOf({ entityType: 'Membership', entityId: `${project.body.id}:${bob.userId}` });
    expect(record?.type).toBe('MemberAdded');
    const auditBefore = await auditOf({ actorId: alice.userId });

    // EventBridge delivers at least once: put the very same event on the bus again.
    const { id, type, occurredAt, actor, requestId, entity, projectId, before, after, changes } = record as never as Record<string, unknown>;
    // Exactly the event the consumers accept (so "nothing changed" cannot mean "it was refused").
    const detail = parseDomainEvent({ id, type, version: 1, occurredAt, actor, requestId, entity, projectId, before, after, changes });
    const eventBridge = new EventBridgeClient({ endpoint: localStack().eventBridgeEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const put = await eventBridge.send(
      new PutEventsCommand({ Entries: [{ Source: 'taskwell', DetailType: String(type), Detail: JSON.stringify(detail), EventBusName: localStack().eventBusName }] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    eventBridge.destroy();

    const after2 = await settled(async () => ({ audit: await auditOf({ actorId: alice.userId }), notes: await notificationsOf(bob), mail: await mailTo(bob) }), 4_000);
    expect(after2.audit.map((r) => r.id).sort()).toEqual(auditBefore.map((r) => r.id).sort());
    expect(after2.notes).toHaveLength(1);
    expect(after2.mail).toHaveLength(1);
  });
});
