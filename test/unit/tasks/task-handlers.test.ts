// Task handlers over a mocked DynamoDB document client: what goes to the table, and what the client sees.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { apiEvent, invoke } from '#test/support/apigw-event';
import { handler as getTask } from '#functions/tasks/get-task';
import { handler as updateTask } from '#functions/tasks/update-task';
import { handler as listTasks } from '#functions/tasks/list-tasks';
import { handler as deleteTask } from '#functions/tasks/delete-task';

const ddb = mockClient(DynamoDBDocumentClient);
const alice = { userId: 'u-alice', email: 'alice@example.com' };
const at = '2030-01-01T00:00:00.000Z';

const taskItem = (extra: Record<string, unknown> = {}) => ({
  pk: 'TASK#T1',
  sk: 'TASK',
  gsi1pk: 'USER#u-alice#TASKS',
  gsi1sk: 'TASK#T1',
  gsi2pk: 'ASSIGNEE#u-alice',
  gsi2sk: `DUE#${at}#T1`,
  entity: 'Task',
  id: 'T1',
  projectId: null,
  title: 'Write',
  description: null,
  status: 'todo',
  priority: 'medium',
  dueAt: at,
  tags: ['a'],
  assigneeId: 'u-alice',
  createdBy: 'u-alice',
  createdAt: at,
  updatedAt: at,
  completedAt: null,
  version: 3,
  modifiedBy: 'u-alice',
  requestId: 'r0',
  ...extra,
});

const route = (taskId: string) => ({ route: '/v1/tasks/{taskId}', pathParameters: { taskId } });
const conditionFailed = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item && { Item: marshall(item, { removeUndefinedValues: true }) }) });

beforeEach(() => ddb.reset());

describe('GET /v1/tasks/{taskId}', () => {
  it('answers the public fields of the task with its ETag, read consistently', async () => {
    ddb.on(GetCommand).resolves({ Item: taskItem() });
    const res = await invoke(getTask, apiEvent('GET', '/v1/tasks/T1', { user: alice, ...route('T1') }));
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"3"');
    expect(Object.keys(res.body).sort()).toEqual(
      ['id', 'projectId', 'title', 'description', 'status', 'priority', 'dueAt', 'tags', 'assigneeId', 'createdBy', 'createdAt', 'updatedAt', 'completedAt', 'version', 'reminders', 'overdue'].sort(),
    );
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ Key: { pk: 'TASK#T1', sk: 'TASK' }, ConsistentRead: true });
  });

  it('answers 404 for a trashed task and for a project task of a non-member', async () => {
    ddb.on(GetCommand).resolvesOnce({ Item: taskItem({ deletedAt: at, deletedBy: 'u-alice', expiresAt: 1 }) });
    expect((await invoke(getTask, apiEvent('GET', '/v1/tasks/T1', { user: alice, ...route('T1') }))).status).toBe(404);

    ddb.on(GetCommand).resolves({ Item: taskItem({ projectId: 'P1', gsi1pk: 'PROJECT#P1#TASKS' }) });
    ddb.on(BatchGetCommand).resolves({ Responses: { 'taskwell-unit': [] } });
    const res = await invoke(getTask, apiEvent('GET', '/v1/tasks/T1', { user: alice, ...route('T1') }));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });
});

describe('PATCH /v1/tasks/{taskId}', () => {
  it('puts the next state conditioned on the expected version, moving the assignee index entry', async () => {
    ddb.on(GetCommand).resolves({ Item: taskItem() });
    ddb.on(PutCommand).resolves({});
    const res = await invoke(
      updateTask,
      apiEvent('PATCH', '/v1/tasks/T1', { user: alice, body: { dueAt: null, status: 'done' }, headers: { 'if-match': '"3"' }, requestId: 'req-9', ...route('T1') }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"4"');
    expect(res.body.completedAt).toBe(res.body.updatedAt);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toContain('#version = :expected');
    expect(put.ExpressionAttributeValues).toMatchObject({ ':expected': 3 });
    expect(put.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(put.Item).toMatchObject({ version: 4, status: 'done', dueAt: null, modifiedBy: 'u-alice', requestId: 'req-9', gsi2sk: 'DUE#~#T1' });
  });

  it('tells a lost race (409) from a task deleted meanwhile (404)', async () => {
    ddb.on(GetCommand).resolves({ Item: taskItem() });
    const patch = () => invoke(updateTask, apiEvent('PATCH', '/v1/tasks/T1', { user: alice, body: { title: 'x', version: 3 }, ...route('T1') }));

    ddb
      .on(PutCommand)
      .rejectsOnce(conditionFailed(taskItem({ version: 4 })))
      .rejectsOnce(conditionFailed(taskItem({ version: 4, deletedAt: at })))
      .rejectsOnce(conditionFailed());
    const raced = await patch();
    expect(raced.status).toBe(409);
    expect(raced.body.type).toBe('https://taskwell.dev/problems/conflict');
    expect((await patch()).status).toBe(404); // trashed meanwhile
    expect((await patch()).status).toBe(404); // gone meanwhile
  });

  it('answers 409 without writing when the version is already stale, and 428 without one', async () => {
    ddb.on(GetCommand).resolves({ Item: taskItem() });
    const stale = await invoke(updateTask, apiEvent('PATCH', '/v1/tasks/T1', { user: alice, body: { title: 'x', version: 2 }, ...route('T1') }));
    expect(stale.status).toBe(409);
    const blind = await invoke(updateTask, apiEvent('PATCH', '/v1/tasks/T1', { user: alice, body: { title: 'x' }, ...route('T1') }));
    expect(blind.status).toBe(428);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('rejects a projectId change before touching the table', async () => {
    const res = await invoke(updateTask, apiEvent('PATCH', '/v1/tasks/T1', { user: alice, body: { projectId: 'P2', version: 3 }, ...route('T1') }));
    expect(res.status).toBe(400);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DELETE /v1/tasks/{taskId}', () => {
  it('moves the task to the trash list and out of the assignee index', async () => {
    ddb.on(GetCommand).resolves({ Item: taskItem() });
    ddb.on(PutCommand).resolves({});
    const res = await invoke(deleteTask, apiEvent('DELETE', '/v1/tasks/T1', { user: alice, ...route('T1') }));
    expect(res.status).toBe(204);
    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).toMatchObject({ gsi1pk: 'USER#u-alice#TRASH', deletedBy: 'u-alice', version: 4, expiresAt: expect.any(Number) });
    expect(item).not.toHaveProperty('gsi2pk');
  });
});

describe('GET /v1/tasks', () => {
  it('queries the private list with filters and answers an opaque cursor', async () => {
    const lastKey = { pk: 'TASK#T1', sk: 'TASK', gsi1pk: 'USER#u-alice#TASKS', gsi1sk: 'TASK#T1' };
    ddb.on(QueryCommand).resolves({ Items: [taskItem()], LastEvaluatedKey: lastKey });
    const res = await invoke(listTasks, apiEvent('GET', '/v1/tasks', { user: alice, query: { status: 'todo', tag: 'A', limit: 1 } }));
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).not.toHaveProperty('pk');
    expect(res.body.nextCursor).toEqual(expect.any(String));
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'gsi1',
      Limit: 1,
      ScanIndexForward: false,
      FilterExpression: '#status = :status AND contains(#tags, :tag)',
      ExpressionAttributeValues: { ':pk': 'USER#u-alice#TASKS', ':status': 'todo', ':tag': 'a' },
    });

    // The cursor continues this list.
    await invoke(listTasks, apiEvent('GET', '/v1/tasks', { user: alice, query: { cursor: res.body.nextCursor } }));
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(lastKey);
  });

  it('uses the assignee index with the due range as the key range', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const res = await invoke(
      listTasks,
      apiEvent('GET', '/v1/tasks', { user: alice, query: { assigneeId: 'me', dueAfter: '2030-01-01T00:00:00Z', dueBefore: '2030-02-01T01:00:00+01:00' } }),
    );
    expect(res.status).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      IndexName: 'gsi2',
      ScanIndexForward: true,
      ExpressionAttributeValues: {
        ':pk': 'ASSIGNEE#u-alice',
        ':from': 'DUE#2030-01-01T00:00:00.000Z',
        ':to': 'DUE#2030-02-01T00:00:00.000Z~',
      },
    });
  });

  it.each([[{ limit: '0' }], [{ limit: '101' }], [{ status: 'open' }], [{ dueBefore: 'soon' }], [{ owner: 'x' }]])('rejects %o without a query', async (query) => {
    const res = await invoke(listTasks, apiEvent('GET', '/v1/tasks', { user: alice, query }));
    expect(res.status).toBe(400);
    expect(res.body.errors.length).toBeGreaterThan(0);
    expect(ddb.calls()).toHaveLength(0);
  });
});
