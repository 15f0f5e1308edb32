// Handlers over a mocked DynamoDB document client: what goes to the table, and what the client sees.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { apiEvent, invoke } from '#test/support/apigw-event';

// The user directory (auth context) is out of scope here; its one profile is Alice's.
vi.mock('#shared/store/user-store', () => {
  const profile = { id: 'u-alice', email: 'alice@example.com', name: 'Alice', timezone: 'UTC', status: 'active', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', version: 1 };
  return {
    userStore: {
      get: async (userId: string) => (userId === profile.id ? profile : undefined),
      findByEmail: async (email: string) => (email === profile.email ? profile : undefined),
    },
  };
});

const { handler: createProject } = await import('#functions/projects/create-project');
const { handler: getProject } = await import('#functions/projects/get-project');
const { handler: updateMember } = await import('#functions/projects/update-member');

const ddb = mockClient(DynamoDBDocumentClient);
const alice = { userId: 'u-alice', email: 'alice@example.com' };
const at = '2025-01-01T00:00:00.000Z';

const projectItem = (extra: Record<string, unknown> = {}) => ({
  pk: 'PROJECT#p1',
  sk: 'PROJECT',
  entity: 'Project',
  id: 'p1',
  name: 'Launch',
  description: null,
  ownerId: 'u-alice',
  createdBy: 'u-alice',
  createdAt: at,
  updatedAt: at,
  version: 3,
  ownerCount: 1,
  modifiedBy: 'u-alice',
  requestId: 'r0',
  ...extra,
});
const memberItem = (userId: string, role: string, extra: Record<string, unknown> = {}) => ({
  pk: 'PROJECT#p1',
  sk: `MEMBER#${userId}`,
  gsi1pk: `USER#${userId}#PROJECTS`,
  gsi1sk: 'PROJECT#p1',
  entity: 'Membership',
  projectId: 'p1',
  userId,
  role,
  email: `${userId}@example.com`,
  name: userId,
  addedBy: 'u-alice',
  createdAt: at,
  updatedAt: at,
  version: 1,
  modifiedBy: 'u-alice',
  requestId: 'r0',
  ...extra,
});

beforeEach(() => ddb.reset());

describe('POST /v1/projects', () => {
  it('writes the project and the owner membership in one transaction, stamped with who and which request', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const res = await invoke(createProject, apiEvent('POST', '/v1/projects', { user: alice, body: { name: 'Launch' }, requestId: 'req-1' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Launch', description: null, role: 'owner', version: 1 });
    expect(res.headers.location).toBe(`/v1/projects/${res.body.id}`);

    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const [project, membership] = calls[0]!.args[0].input.TransactItems!;
    expect(project?.Put?.Item).toMatchObject({ pk: `PROJECT#${res.body.id}`, sk: 'PROJECT', entity: 'Project', ownerCount: 1, modifiedBy: 'u-alice', requestId: 'req-1' });
    expect(project?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(membership?.Put?.Item).toMatchObject({
      sk: 'MEMBER#u-alice',
      gsi1pk: 'USER#u-alice#PROJECTS',
      role: 'owner',
      name: 'Alice',
      modifiedBy: 'u-alice',
      requestId: 'req-1',
    });
  });

  it('answers unknown fields with 400 and touches no table', async () => {
    const res = await invoke(createProject, apiEvent('POST', '/v1/projects', { user: alice, body: { name: 'x', version: 7 } }));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors[0].field).toBe('body');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers without a verified caller with 401', async () => {
    const res = await invoke(createProject, apiEvent('POST', '/v1/projects', { body: { name: 'x' } }));
    expect(res.status).toBe(401);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('GET /v1/projects/{projectId}', () => {
  const get = () => invoke(getProject, apiEvent('GET', '/v1/projects/p1', { user: alice, pathParameters: { projectId: 'p1' } }));

  it('checks access in one consistent BatchGetItem and returns the public shape with an ETag', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { 'taskwell-unit': [projectItem(), memberItem('u-alice', 'owner')] } });
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"3"');
    expect(res.body).toEqual({
      id: 'p1',
      name: 'Launch',
      description: null,
      ownerId: 'u-alice',
      createdBy: 'u-alice',
      createdAt: at,
      updatedAt: at,
      version: 3,
      role: 'owner',
    });
    const request = ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems!['taskwell-unit']!;
    expect(request.ConsistentRead).toBe(true);
    expect(request.Keys).toEqual([{ pk: 'PROJECT#p1', sk: 'PROJECT' }, { pk: 'PROJECT#p1', sk: 'MEMBER#u-alice' }]);
  });

  it('is a 404 for a non-member and for a deleted project', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { 'taskwell-unit': [projectItem()] } })
      .resolvesOnce({ Responses: { 'taskwell-unit': [projectItem({ deletedAt: at }), memberItem('u-alice', 'owner')] } });
    expect((await get()).status).toBe(404);
    expect((await get()).status).toBe(404);
  });

  it('rejects an over-long project id with 400 before reading', async () => {
    const res = await invoke(getProject, apiEvent('GET', '/v1/projects/x', { user: alice, pathParameters: { projectId: 'x'.repeat(65) } }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('params.projectId');
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('PATCH /v1/projects/{projectId}/members/{userId}', () => {
  const demoteSelf = () =>
    invoke(
      updateMember,
      apiEvent('PATCH', '/v1/projects/p1/members/u-alice', {
        user: alice,
        body: { role: 'viewer' },
        headers: { 'if-match': '"1"' },
        pathParameters: { projectId: 'p1', userId: 'u-alice' },
      }),
    );

  it('demotes an owner in one transaction that keeps the owner count at least 1; the last owner gets 409', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { 'taskwell-unit': [projectItem(), memberItem('u-alice', 'owner')] } });
    ddb.on(QueryCommand).resolves({ Items: [] }); // no other owner to hand ownerId to
    ddb.on(UpdateCommand).rejects(new Error('not a single write'));
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: marshall(projectItem(), { removeUndefinedValues: true }) }],
      }),
    );
    const res = await demoteSelf();
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/last owner/);
    const [membership, project] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(membership?.Update?.ConditionExpression).toContain('version = :expected');
    expect(project?.Update?.ConditionExpression).toContain('ownerCount > :one');
  });

  it('answers a stale membership version with 409 and writes nothing', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { 'taskwell-unit': [projectItem(), memberItem('u-alice', 'owner', { version: 2 })] } });
    const res = await demoteSelf();
    expect(res.status).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
