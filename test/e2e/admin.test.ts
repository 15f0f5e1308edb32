// The admin API over the local stack, as the console uses it: only admins get in; users are found by email prefix,
// disabled (their very next request is refused, and their sessions end) and enabled again, made admins (from their next request on); the
// dashboard's counters follow tasks made through the API; every DLQ is listed, read and redriven.
// Other e2e files run at the same time against the same stack, so counters are compared, never assumed.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { routes } from '#shared/routes';
import { catalogue } from '#shared/ops/dlq-catalogue';
import { asTargetEvent } from '#local/eventbridge';
import { api, as, claims, demo, login, newUser, type Client } from '#test/support/api-client';
import { localStack } from '#test/support/local-stack';
import { WAIT, auditOf } from '#test/support/e2e-events';
import { expectGatewayDenied, expectProblem } from '#test/support/e2e-helpers';

const admin = (): Client => as(demo.admin);
const adminId = async (): Promise<string> => (await admin().get('/v1/me')).body.id as string;

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
  const res = await admin().get<Stats>('/v1/admin/stats');
  expect(res).toHaveStatus(200);
  return res.body;
};
const today = (s: Stats) => s.days[s.days.length - 1]!;

describe('the admin API is for admins only', () => {
  const adminRoutes = routes.filter((r) => r.path.startsWith('/v1/admin/'));

  it('answers 403 problem+json to a signed-in non-admin on every admin route, changing nothing', async () => {
    const user = await newUser();
    expect(adminRoutes.length).toBe(11);
    for (const route of adminRoutes) {
      const path = route.path.replace('{userId}', user.userId).replace('{name}', 'taskwell-audit-dlq');
      const res = await as(user).request(route.method, path);
      expectProblem(res, 403);
      expect(res.body.type).toBe('https://taskwell.dev/problems/forbidden');
    }
    // Disabling themself through the admin route did nothing.
    expect(await as(user).get('/v1/me')).toHaveStatus(200);
  });

  it('answers 401 without a token', async () => {
    expectGatewayDenied(await api.get('/v1/admin/stats'));
  });
});

describe('users', () => {
  it('finds a new user by email prefix and shows their detail', async () => {
    const unique = randomUUID().slice(0, 8);
    const user = await newUser({ email: `Admin-Find-${unique}@Example.com`, name: 'Findable' });
    const project = await as(user).post('/v1/projects', { name: 'Mine' });
    expect(project).toHaveStatus(201);
    expect(await as(user).post('/v1/tasks', { title: 'private' })).toHaveStatus(201);

    const found = await admin().get(`/v1/admin/users?emailPrefix=${encodeURIComponent(`admin-find-${unique}`)}`);
    expect(found).toHaveStatus(200);
    expect(found.body).toEqual({
      items: [{ id: user.userId, email: `admin-find-${unique}@example.com`, name: 'Findable', status: 'active', createdAt: expect.any(String) }],
    });

    const detail = await admin().get(`/v1/admin/users/${user.userId}`);
    expect(detail).toHaveStatus(200);
    expect(detail.body).toEqual({
      user: { id: user.userId, email: `admin-find-${unique}@example.com`, name: 'Findable', status: 'active', createdAt: expect.any(String), timezone: 'UTC', isAdmin: false },
      projects: [{ id: project.body.id, name: 'Mine', role: 'owner' }],
      taskCounts: { assignedOpen: 0, assignedDone: 0, privateTasks: 1 },
    });
    expectProblem(await admin().get('/v1/admin/users/no-such-user'), 404);
  });

  it('disables a user — refused on their very next request and at login, audited as the admin — and enables them again', async () => {
    const user = await newUser();
    expect(await as(user).get('/v1/me')).toHaveStatus(200);

    const disabled = await admin().post(`/v1/admin/users/${user.userId}/disable`);
    expect(disabled).toHaveStatus(200);
    expect(disabled.body).toMatchObject({ id: user.userId, status: 'disabled', isAdmin: false });
    // The token they hold is refused by the authorizer from the next request on.
    expectGatewayDenied(await as(user).get('/v1/me'));
    expect((await as(user).get('/v1/me')).status).toBe(403);
    // No new tokens either (locally the profile refuses them: 403 user-disabled; Cognito itself answers 401).
    const relogin = await api.post('/v1/auth/login', { email: user.email, password: user.password });
    expect([401, 403]).toContain(relogin.status);
    const detail = await admin().get(`/v1/admin/users/${user.userId}`);
    expect(detail.body.user.status).toBe('disabled');

    const enabled = await admin().post(`/v1/admin/users/${user.userId}/enable`);
    expect(enabled).toHaveStatus(200);
    expect(enabled.body).toMatchObject({ id: user.userId, status: 'active' });
    // Disabling ended their sessions: the old token stays refused, a new login works.
    expectGatewayDenied(await as(user).get('/v1/me'));
    const back = await api.post('/v1/auth/login', { email: user.email, password: user.password });
    expect(back).toHaveStatus(200);
    expect(await as(back.body.accessToken).get('/v1/me')).toHaveStatus(200);

    // The audit log says which admin did it.
    const me = await adminId();
    await expect
      .poll(async () => (await auditOf({ entityType: 'User', entityId: user.userId })).filter((r) => r.type === 'UserUpdated').length, WAIT)
      .toBeGreaterThanOrEqual(2);
    const changes = (await auditOf({ entityType: 'User', entityId: user.userId })).filter((r) => r.type === 'UserUpdated');
    expect(changes.every((r) => r.actor.userId === me)).toBe(true);
    expect(changes.flatMap((r) => r.changes).filter((c) => c.field === 'status')).toEqual(
      expect.arrayContaining([
        { field: 'status', before: 'active', after: 'disabled' },
        { field: 'status', before: 'disabled', after: 'active' },
      ]),
    );
  });

  it('refuses to let an admin disable themself or revoke their own role (409)', async () => {
    const me = await adminId();
    expectProblem(await admin().post(`/v1/admin/users/${me}/disable`), 409);
    expectProblem(await admin().delete(`/v1/admin/users/${me}/admin`), 409);
    expect(await admin().get('/v1/admin/stats')).toHaveStatus(200);
  });

  it('grants the admin role from the next request on, puts the user in the group for their next login, and revokes it', async () => {
    const user = await newUser();
    expectProblem(await as(user).get('/v1/admin/stats'), 403);

    const granted = await admin().put(`/v1/admin/users/${user.userId}/admin`);
    expect(granted).toHaveStatus(200);
    expect(granted.body).toEqual({ isAdmin: true });
    expect((await admin().get(`/v1/admin/users/${user.userId}`)).body.user.isAdmin).toBe(true);
    // The profile decides: the token they hold, issued without the group, is an admin's from now on.
    expect(await as(user).get('/v1/admin/stats')).toHaveStatus(200);
    const fresh = await login(user);
    expect(claims(fresh.accessToken)['cognito:groups']).toContain('admins');
    expect(await as(fresh.accessToken).get('/v1/admin/stats')).toHaveStatus(200);

    const revoked = await admin().delete(`/v1/admin/users/${user.userId}/admin`);
    expect(revoked).toHaveStatus(200);
    expect(revoked.body).toEqual({ isAdmin: false });
    const after = await login(user);
    expect(claims(after.accessToken)['cognito:groups'] ?? []).not.toContain('admins');
    expectProblem(await as(after.accessToken).get('/v1/admin/stats'), 403);
  });
});

describe('the dashboard', () => {
  it('answers 30 days ending today and every DLQ, from counters that follow tasks made through the API', async () => {
    const before = await stats();
    expect(before.days).toHaveLength(30);
    expect(today(before).date).toBe(new Date().toISOString().slice(0, 10));
    expect(before.dlqs.map((d) => d.name)).toEqual(catalogue('taskwell').map((d) => d.name));
    // Other files make tasks overdue at the same time: the count is a number, its changes are tested with the stats.
    expect(before.overdue).toEqual(expect.any(Number));

    const user = await newUser();
    const created = [];
    for (let i = 0; i < 5; i++) {
      const res = await as(user).post('/v1/tasks', { title: `count me ${i}`, priority: 'urgent' });
      expect(res).toHaveStatus(201);
      created.push(res.body);
    }
    // The pipeline is asynchronous: stream → bus → stats queue → consumer. Other tests may move the open counts a
    // little meanwhile; created/completed only ever grow.
    await expect.poll(async () => today(await stats()).created - today(before).created, WAIT).toBeGreaterThanOrEqual(5);
    await expect.poll(async () => (await stats()).openByPriority.urgent - before.openByPriority.urgent, WAIT).toBeGreaterThanOrEqual(3);
    const open = (await stats()).openByPriority.urgent;

    for (const task of created) expect(await as(user).patch(`/v1/tasks/${task.id}`, { status: 'done', version: task.version })).toHaveStatus(200);
    await expect.poll(async () => today(await stats()).completed - today(before).completed, WAIT).toBeGreaterThanOrEqual(5);
    await expect.poll(async () => open - (await stats()).openByPriority.urgent, WAIT).toBeGreaterThanOrEqual(3);
  });
});

describe('DLQs', () => {
  const sqs = () =>
    new SQSClient({ endpoint: localStack().sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

  it('lists every DLQ, shows a parked message, and redrives it to its queue, where its consumer takes it', async () => {
    const entityId = `dlq-e2e-${randomUUID()}`;
    const eventId = `${randomUUID()}:TaskUpdated`;
    const detail = {
      id: eventId,
      type: 'TaskUpdated',
      version: 1,
      occurredAt: new Date().toISOString(),
      actor: { userId: 'e2e-operator' },
      requestId: 'req-dlq-e2e',
      entity: { type: 'Task', id: entityId },
      projectId: null,
      before: { title: 'before' },
      after: { title: 'after' },
      changes: [{ field: 'title', before: 'before', after: 'after' }],
    };
    const envelope = asTargetEvent(detail);
    const client = sqs();
    try {
      const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'taskwell-audit-dlq' }));
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(envelope) }));
    } finally {
      client.destroy();
    }

    const list = await admin().get('/v1/admin/dlqs');
    expect(list).toHaveStatus(200);
    expect(list.body.items.map((d: { name: string }) => d.name)).toEqual(catalogue('taskwell').map((d) => d.name));
    const audit = list.body.items.find((d: { name: string }) => d.name === 'taskwell-audit-dlq');
    expect(audit).toEqual({ name: 'taskwell-audit-dlq', kind: 'queue', messages: expect.any(Number), redrivesTo: 'taskwell-audit' });
    expect(audit.messages).toBeGreaterThanOrEqual(1);
    expect((await stats()).dlqs.find((d) => d.name === 'taskwell-audit-dlq')!.messages).toBeGreaterThanOrEqual(1);

    const shown = await admin().get('/v1/admin/dlqs/taskwell-audit-dlq/messages?max=50');
    expect(shown).toHaveStatus(200);
    const mine = shown.body.items.find((m: { eventId?: string }) => m.eventId === eventId);
    expect(mine).toEqual({
      messageId: expect.any(String),
      receiveCount: expect.any(Number),
      sentAt: expect.any(String),
      summary: `TaskUpdated Task ${entityId} by e2e-operator`,
      eventType: 'TaskUpdated',
      eventId,
      body: JSON.stringify(envelope),
    });
    // Reading did not consume it.
    expect((await admin().get('/v1/admin/dlqs/audit/messages?max=50')).body.items.some((m: { eventId?: string }) => m.eventId === eventId)).toBe(true);

    const redriven = await admin().post('/v1/admin/dlqs/taskwell-audit-dlq/redrive');
    expect(redriven).toHaveStatus(200);
    expect(redriven.body.moved).toBeGreaterThanOrEqual(1);
    expect(redriven.body).toEqual({ moved: expect.any(Number), kept: 0 });
    // Back in the audit queue, the audit consumer records it.
    await expect.poll(async () => (await auditOf({ entityType: 'Task', entityId })).map((r) => r.id), WAIT).toEqual([eventId]);
    expect((await admin().get('/v1/admin/dlqs/taskwell-audit-dlq/messages?max=50')).body.items.some((m: { eventId?: string }) => m.eventId === eventId)).toBe(false);
  });

  it('refuses to redrive the publisher DLQ (409) and answers 404 for an unknown DLQ', async () => {
    const publisher = await admin().post('/v1/admin/dlqs/taskwell-publisher-dlq/redrive');
    expectProblem(publisher, 409);
    expect(publisher.body.detail).toContain('redrive it with npm run dlq (it replays stream batches)');
    expectProblem(await admin().get('/v1/admin/dlqs/taskwell-nothing-dlq/messages'), 404);
    expectProblem(await admin().post('/v1/admin/dlqs/taskwell-nothing-dlq/redrive'), 404);
  });
});
