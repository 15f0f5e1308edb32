// The admin routes over mocked DynamoDB, Cognito and SQS clients: who may call them, what reaches Cognito and SQS,
// and what an admin gets back.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AdminDisableUserCommand,
  AdminListGroupsForUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { routes, type RouteDef } from '#shared/routes';
import { catalogue } from '#shared/ops/dlq-catalogue';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';
import { handler as disableUser } from '#functions/admin/disable-user';
import { handler as getUser } from '#functions/admin/get-user';
import { handler as listDlqs } from '#functions/admin/list-dlqs';
import { handler as listDlqMessages } from '#functions/admin/list-dlq-messages';
import { handler as redriveDlq } from '#functions/admin/redrive-dlq';

const cognito = mockClient(CognitoIdentityProviderClient);
const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

const admin: TestUser = { userId: 'admin-1', email: 'admin@example.com', groups: ['admins'] };
const user: TestUser = { userId: 'u-2', email: 'u2@example.com' };
const type = (slug: string) => `https://taskwell.dev/problems/${slug}`;

const profileItem = (over: Record<string, unknown> = {}) => ({
  pk: 'USER#u-2',
  sk: 'PROFILE',
  entity: 'User',
  id: 'u-2',
  email: 'u2@example.com',
  name: 'U Two',
  timezone: 'Europe/Berlin',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 3,
  ...over,
});

/** An event for a route of the table, with its path parameters filled in. */
const eventFor = (route: RouteDef, who: TestUser | undefined, body?: unknown) => {
  const params: Record<string, string> = {};
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] = name === 'name' ? 'taskwell-audit-dlq' : 'u-2'));
  return apiEvent(route.method, path, { route: route.path, pathParameters: params, user: who, body });
};

beforeEach(() => {
  cognito.reset();
  ddb.reset();
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  sqs.reset();
  process.env.QUEUE_PREFIX = 'taskwell';
});

describe('the admin routes', () => {
  const adminRoutes = routes.filter((r) => r.path.startsWith('/v1/admin/') && r.path !== '/v1/admin/audit');

  it('are all declared admin-only', () => {
    expect(adminRoutes.length).toBe(10);
    expect(adminRoutes.every((r) => r.auth === 'admin')).toBe(true);
  });

  it.each(adminRoutes)('$method $path answers 403 problem+json to a non-admin, touching nothing', async (route) => {
    const { handler } = (await import(`../../../${route.handler}`)) as { handler: Parameters<typeof invoke>[0] };
    const res = await invoke(handler, eventFor(route, user));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(ddb.calls()).toHaveLength(0);
    expect(cognito.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('users', () => {
  it('disables a user: the profile as the admin, then Cognito; tolerates an emulator without global sign-out', async () => {
    ddb.on(GetCommand).resolves({ Item: profileItem() });
    ddb.on(UpdateCommand).resolves({ Attributes: profileItem({ status: 'disabled', version: 4 }) });
    cognito.on(AdminDisableUserCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).rejects(Object.assign(new Error('Cognito Local unsupported feature: Unsupported x-amz-target header'), { name: 'Unsupported' }));
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
    const res = await invoke(disableUser, apiEvent('POST', '/v1/admin/users/u-2/disable', { pathParameters: { userId: 'u-2' }, user: admin, requestId: 'req-42' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'u-2', email: 'u2@example.com', name: 'U Two', status: 'disabled', createdAt: '2026-01-01T00:00:00.000Z', timezone: 'Europe/Berlin', isAdmin: false });
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toBe('#entity = :entity AND #version = :expected');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':status': 'disabled', ':expected': 3, ':by': 'admin-1', ':req': 'req-42' });
    expect(cognito.commandCalls(AdminDisableUserCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'us-east-1_unittest1', Username: 'u-2' });
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(1);
    // Every session of the user ended too: enabling the account again does not revive its tokens.
    const ended = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((input) => input.Key?.sk === 'SESSIONS');
    expect(ended?.Key).toEqual({ pk: 'USER#u-2', sk: 'SESSIONS' });
    expect(ended?.ExpressionAttributeValues).toMatchObject({ ':next': 1 });
  });

  it('fails a disable whose global sign-out fails for real (the retry finishes it)', async () => {
    ddb.on(GetCommand).resolves({ Item: profileItem({ status: 'disabled' }) });
    cognito.on(AdminDisableUserCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalErrorException' }));
    const res = await invoke(disableUser, apiEvent('POST', '/v1/admin/users/u-2/disable', { pathParameters: { userId: 'u-2' }, user: admin }));
    expect(res.status).toBe(500);
    expect(ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.sk === 'PROFILE')).toHaveLength(0);
  });

  it('answers 409 to an admin disabling themself, and 400 to a body with fields', async () => {
    const self = await invoke(disableUser, apiEvent('POST', '/v1/admin/users/admin-1/disable', { pathParameters: { userId: 'admin-1' }, user: admin, body: {} }));
    expect(self.status).toBe(409);
    expect(self.body.type).toBe(type('cannot-disable-self'));
    const extra = await invoke(disableUser, apiEvent('POST', '/v1/admin/users/u-2/disable', { pathParameters: { userId: 'u-2' }, user: admin, body: { force: true } }));
    expect(extra.status).toBe(400);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('shows a user Cognito does not know as no admin', async () => {
    ddb.on(GetCommand).resolves({ Item: profileItem() });
    ddb.on(GetCommand, { Key: { pk: 'USER#u-2', sk: 'PROFILE' } }).resolves({ Item: profileItem() });
    cognito.on(AdminListGroupsForUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    const { QueryCommand, BatchGetCommand } = await import('@aws-sdk/lib-dynamodb');
    ddb.on(QueryCommand).resolves({ Items: [], Count: 0 });
    ddb.on(BatchGetCommand).resolves({ Responses: {} });
    const res = await invoke(getUser, apiEvent('GET', '/v1/admin/users/u-2', { pathParameters: { userId: 'u-2' }, user: admin }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: expect.objectContaining({ id: 'u-2', isAdmin: false }),
      projects: [],
      taskCounts: { assignedOpen: 0, assignedDone: 0, privateTasks: 0 },
    });
    // Counts are Query COUNTs: no task item is read.
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.filter((q) => q.Select === 'COUNT')).toHaveLength(3);
  });
});

describe('DLQs', () => {
  const dlqs = catalogue('taskwell');

  it('lists every DLQ with its depth, kind and where it redrives to', async () => {
    sqs.on(GetQueueUrlCommand).callsFake(async (input: { QueueName: string }) => ({ QueueUrl: `http://sqs.local/000000000000/${input.QueueName}` }));
    sqs.on(GetQueueAttributesCommand).callsFake(async (input: { QueueUrl: string }) =>
      input.QueueUrl.endsWith('/taskwell-audit-dlq')
        ? { Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' } }
        : { Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } },
    );
    const res = await invoke(listDlqs, apiEvent('GET', '/v1/admin/dlqs', { user: admin }));
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { name: string }) => i.name)).toEqual(dlqs.map((d) => d.name));
    expect(res.body.items.find((i: { name: string }) => i.name === 'taskwell-audit-dlq')).toEqual({
      name: 'taskwell-audit-dlq',
      kind: 'queue',
      messages: 4,
      redrivesTo: 'taskwell-audit',
    });
  });

  it('reads messages without consuming them: each is handed back', async () => {
    const body = JSON.stringify({ 'detail-type': 'TaskCreated', detail: { id: 'rec-1:TaskCreated', entity: { type: 'Task', id: 't-1' }, actor: { userId: 'u-1' } } });
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'http://sqs.local/000000000000/taskwell-audit-dlq' });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' } });
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1', Body: body, Attributes: { ApproximateReceiveCount: '6', SentTimestamp: String(Date.parse('2026-03-01T10:00:00Z')) } }],
    });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }] });
    const res = await invoke(listDlqMessages, apiEvent('GET', '/v1/admin/dlqs/taskwell-audit-dlq/messages', { pathParameters: { name: 'taskwell-audit-dlq' }, user: admin }));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { messageId: 'm-1', receiveCount: 6, sentAt: '2026-03-01T10:00:00.000Z', summary: 'TaskCreated Task t-1 by u-1', eventType: 'TaskCreated', eventId: 'rec-1:TaskCreated', body },
    ]);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries).toEqual([{ Id: '0', ReceiptHandle: 'r-1', VisibilityTimeout: 0 }]);
  });

  it('answers 404 for an unknown DLQ, 409 for the publisher DLQ, and 400 for max out of range', async () => {
    const unknown = await invoke(listDlqMessages, apiEvent('GET', '/v1/admin/dlqs/nope/messages', { pathParameters: { name: 'nope' }, user: admin }));
    expect(unknown.status).toBe(404);
    const publisher = await invoke(redriveDlq, apiEvent('POST', '/v1/admin/dlqs/taskwell-publisher-dlq/redrive', { pathParameters: { name: 'taskwell-publisher-dlq' }, user: admin }));
    expect(publisher.status).toBe(409);
    expect(publisher.body.detail).toContain('redrive it with npm run dlq (it replays stream batches)');
    const tooMany = await invoke(listDlqMessages, apiEvent('GET', '/v1/admin/dlqs/audit/messages', { pathParameters: { name: 'audit' }, query: { max: 51 }, user: admin }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].field).toBe('query.max');
    expect(sqs.calls()).toHaveLength(0);
  });
});
