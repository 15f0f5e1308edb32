// The scenarios of the warm handler benchmark (bench/handlers.ts): for each task and project handler (and the
// authorizer) the next event to send, what a good answer looks like, and the raw baseline — the same DynamoDB
// calls with the same keys, written by hand on a plain document client (see shared/store/*.ts for what each
// use case does). The data they run on is made through the handlers themselves, untimed.
import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorizer } from '#shared/routes';
import { INDEX, keys } from '#shared/store/keys';
import type { DdbRecorder } from './ddb-recorder.ts';
import { AUTHORIZER_KEY, authorizerEvent, callRoute, resultOf, routeByKey, routeEvent, type Actor, type CallOptions, type CallResult } from './invoke.ts';
import type { BenchUser } from './api-client.ts';

type Item = Record<string, any>;

/** One measured use of a handler: its event, what a good answer looks like, and its raw baseline. */
export interface Scenario {
  variant: string;
  route: string;
  /** Builds the next timed invocation's event (untimed). */
  event: () => unknown;
  /** Checks the answer (2xx) and updates state (versions). */
  check: (result: unknown) => void;
  /** The same DynamoDB calls, by hand. */
  raw: () => Promise<void>;
}

const table = (): string => {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set (start the local stack first)');
  return name;
};

const expectOk = (what: string, result: CallResult): CallResult => {
  if (result.status < 200 || result.status >= 300) throw new Error(`${what} answered ${result.status}: ${JSON.stringify(result.body).slice(0, 400)}`);
  return result;
};

const versionOf = (result: CallResult): number => {
  const match = /"(\d+)"/.exec(result.headers.etag ?? '');
  if (!match) throw new Error(`no version ETag in ${JSON.stringify(result.headers)}`);
  return Number(match[1]);
};

const actor = (u: BenchUser): Actor => ({ userId: u.userId, email: u.email });

export interface ScenarioUsers {
  /** Owner of the shared project; B is an editor of it; C creates and deletes projects; D is added and removed. */
  a: BenchUser;
  b: BenchUser;
  c: BenchUser;
  d: BenchUser;
}

/** The handler module a scenario invokes. */
export const routeHandler = (s: Scenario): string => (s.route === AUTHORIZER_KEY ? authorizer.handler : routeByKey(s.route).handler);

/**
 * Creates the data and returns the scenarios in groups: a group's scenarios run in sequence each iteration
 * (delete then restore, add then remove), so that each finds the state it needs.
 */
export const buildScenarios = async (users: ScenarioUsers, recorder: DdbRecorder): Promise<{ groups: Scenario[][]; close: () => void }> => {
  const A = actor(users.a);
  const B = actor(users.b);
  const C = actor(users.c);
  const D = users.d;

  // ---- data ----
  const call = async (route: string, options: CallOptions) => expectOk(`setup ${route}`, await callRoute(route, options));
  const project = (await call('POST /v1/projects', { user: A, body: { name: 'Bench project', description: 'handler latency' } })).body as Item;
  const P = project.id as string;
  await call('POST /v1/projects/{projectId}/members', { user: A, params: { projectId: P }, body: { email: users.b.email, role: 'editor' } });
  const newTask = async (user: Actor, body: Item) => (await call('POST /v1/tasks', { user, body: { projectId: P, ...body } })).body as Item;
  for (let i = 0; i < 22; i++) {
    await newTask(i % 2 ? B : A, { title: `Bench task ${i}`, ...(i % 2 === 0 && { assigneeId: A.userId, dueAt: new Date(Date.now() + (i + 1) * 86_400_000).toISOString() }) });
  }
  const teammateTask = await newTask(B, { title: "A teammate's task", tags: ['bench'] });
  const updateTask = await newTask(A, { title: 'Task A updates', assigneeId: A.userId });
  const trashTask = await newTask(A, { title: 'Task A trashes and restores' });

  const rawClient = new DynamoDBClient({});
  const raw = DynamoDBDocumentClient.from(rawClient, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
  recorder.attach(rawClient);

  // ---- raw building blocks (the calls the stores make, written out) ----
  const getItem = async (key: Item, consistent: boolean) => (await raw.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: consistent }))).Item;
  const access = async (projectId: string, userId: string) =>
    (await raw.send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: [keys.project(projectId), keys.member(projectId, userId)], ConsistentRead: true } } }))).Responses?.[table()] ?? [];
  const stamp = () => ({ updatedAt: new Date().toISOString(), modifiedBy: A.userId, requestId: `raw-${randomUUID()}` });
  const taskCondition = (inTrash: boolean) => ({
    ConditionExpression: `#entity = :entity AND #version = :expected AND ${inTrash ? 'attribute_exists' : 'attribute_not_exists'}(#deletedAt)`,
    ExpressionAttributeNames: { '#entity': 'entity', '#version': 'version', '#deletedAt': 'deletedAt' },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  });
  const putTask = (item: Item, expected: number, inTrash: boolean) =>
    raw.send(new PutCommand({ TableName: table(), Item: item, ...taskCondition(inTrash), ExpressionAttributeValues: { ':entity': 'Task', ':expected': expected } }));
  /** Powertools idempotency: the INPROGRESS record before the handler, its completion after. */
  const idempotencyKey = (operation: string) => ({ pk: `IDEMPOTENCY#${operation}`, sk: `bench-raw-${operation}#${createHash('md5').update(randomUUID()).digest('hex')}` });
  const idempotencyStart = (key: Item) => {
    const now = Date.now();
    return raw.send(
      new PutCommand({
        TableName: table(),
        Item: { ...key, expiresAt: Math.floor(now / 1000) + 86_400, status: 'INPROGRESS', in_progress_expiration: now + 30_000, validation: createHash('md5').update(key.sk).digest('hex') },
        ConditionExpression: 'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
        ExpressionAttributeNames: { '#id': 'pk', '#expiry': 'expiresAt', '#in_progress_expiry': 'in_progress_expiration', '#status': 'status' },
        ExpressionAttributeValues: { ':now': now / 1000, ':now_in_millis': now, ':inprogress': 'INPROGRESS' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  };
  const idempotencyDone = (key: Item, response: Item) =>
    raw.send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: 'SET #expiry = :expiry, #status = :status, #response_data = :response_data, #validation_key = :validation_key',
        ExpressionAttributeNames: { '#expiry': 'expiresAt', '#status': 'status', '#response_data': 'data', '#validation_key': 'validation' },
        ExpressionAttributeValues: {
          ':expiry': Math.floor(Date.now() / 1000) + 86_400,
          ':status': 'COMPLETED',
          ':response_data': { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response) },
          ':validation_key': createHash('md5').update(key.sk).digest('hex'),
        },
      }),
    );

  // ---- state the scenarios move forward ----
  const state = {
    taskVersion: updateTask.version as number,
    projectVersion: (await call('GET /v1/projects/{projectId}', { user: A, params: { projectId: P } })).body.version as number,
    memberVersion: 1,
    memberRole: 'editor' as 'editor' | 'viewer',
    createdByHandler: [] as string[],
    createdByRaw: [] as string[],
    counter: 0,
  };
  const next = () => ++state.counter;
  const ev = (key: string, options: CallOptions) => routeEvent(key, options);
  const ok = (what: string) => (result: unknown) => void expectOk(what, resultOf(result));

  const groups: Scenario[][] = [
    [
      {
        variant: 'tasks.get',
        route: 'GET /v1/tasks/{taskId}',
        event: () => ev('GET /v1/tasks/{taskId}', { user: A, params: { taskId: teammateTask.id } }),
        check: ok('get-task'),
        raw: async () => {
          const task = await getItem(keys.task(teammateTask.id), true);
          await access(task!.projectId, A.userId);
        },
      },
    ],
    [
      {
        variant: 'tasks.list.project',
        route: 'GET /v1/tasks',
        event: () => ev('GET /v1/tasks', { user: A, query: { projectId: P } }),
        check: ok('list-tasks'),
        raw: async () => {
          await access(P, A.userId);
          const k = keys.tasksOfProject(P);
          await raw.send(
            new QueryCommand({
              TableName: table(),
              IndexName: INDEX.byContainer,
              KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :skPrefix)',
              ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
              ExpressionAttributeValues: { ':pk': k.gsi1pk, ':skPrefix': k.gsi1skPrefix },
              ScanIndexForward: false,
              Limit: 20,
            }),
          );
        },
      },
    ],
    [
      {
        variant: 'tasks.list.assignee',
        route: 'GET /v1/tasks',
        event: () => ev('GET /v1/tasks', { user: A, query: { assigneeId: 'me' } }),
        check: ok('list-tasks assigneeId=me'),
        raw: async () => {
          const k = keys.tasksOfAssignee(A.userId);
          const { Items = [] } = await raw.send(
            new QueryCommand({
              TableName: table(),
              IndexName: INDEX.byAssignee,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
              ExpressionAttributeNames: { '#pk': 'gsi2pk', '#sk': 'gsi2sk' },
              ExpressionAttributeValues: { ':pk': k.gsi2pk, ':from': k.gsi2skFrom, ':to': k.gsi2skTo },
              ScanIndexForward: true,
              Limit: 20,
            }),
          );
          const projectIds = [...new Set(Items.map((i) => i.projectId).filter((id): id is string => typeof id === 'string'))];
          await Promise.all(projectIds.map((id) => access(id, A.userId)));
        },
      },
    ],
    [
      {
        variant: 'tasks.create',
        route: 'POST /v1/tasks',
        event: () =>
          ev('POST /v1/tasks', { user: A, body: { title: `Created ${next()}`, projectId: P, priority: 'high', tags: ['bench'] }, headers: { 'idempotency-key': randomUUID() } }),
        check: ok('create-task'),
        raw: async () => {
          const key = idempotencyKey('create-task');
          await idempotencyStart(key);
          await access(P, A.userId);
          const id = `RAW${randomUUID().replaceAll('-', '').slice(0, 23).toUpperCase()}`;
          const at = new Date().toISOString();
          const task = {
            id, projectId: P, title: `Raw created ${next()}`, description: null, status: 'todo', priority: 'high', dueAt: null, tags: ['bench'],
            assigneeId: null, createdBy: A.userId, createdAt: at, updatedAt: at, completedAt: null, version: 1,
          };
          const item = { ...keys.task(id), ...keys.taskIndex({ id, projectId: P, createdBy: A.userId }), entity: 'Task', ...task, modifiedBy: A.userId, requestId: `raw-${randomUUID()}` };
          await raw.send(new PutCommand({ TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
          await idempotencyDone(key, task);
        },
      },
    ],
    [
      {
        variant: 'tasks.update',
        route: 'PATCH /v1/tasks/{taskId}',
        event: () =>
          ev('PATCH /v1/tasks/{taskId}', { user: A, params: { taskId: updateTask.id }, body: { title: `Updated ${next()}` }, headers: { 'if-match': `"${state.taskVersion}"` } }),
        check: (result) => {
          state.taskVersion = versionOf(expectOk('update-task', resultOf(result)));
        },
        raw: async () => {
          const task = (await getItem(keys.task(updateTask.id), true))!;
          await access(task.projectId, A.userId);
          await putTask({ ...task, title: `Raw updated ${next()}`, version: task.version + 1, ...stamp() }, task.version, false);
          state.taskVersion = task.version + 1;
        },
      },
    ],
    [
      {
        variant: 'tasks.delete',
        route: 'DELETE /v1/tasks/{taskId}',
        event: () => ev('DELETE /v1/tasks/{taskId}', { user: A, params: { taskId: trashTask.id } }),
        check: ok('delete-task'),
        raw: async () => {
          const task = (await getItem(keys.task(trashTask.id), true))!;
          await access(task.projectId, A.userId);
          const { gsi2pk: _pk, gsi2sk: _sk, ...rest } = task;
          const at = new Date().toISOString();
          const trashed = {
            ...rest,
            ...keys.taskIndex({ id: task.id, projectId: task.projectId, createdBy: task.createdBy, deleted: true }),
            version: task.version + 1,
            deletedAt: at,
            deletedBy: A.userId,
            expiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400,
            ...stamp(),
          };
          await putTask(trashed, task.version, false);
        },
      },
      {
        variant: 'tasks.restore',
        route: 'POST /v1/tasks/{taskId}/restore',
        event: () => ev('POST /v1/tasks/{taskId}/restore', { user: A, params: { taskId: trashTask.id } }),
        check: ok('restore-task'),
        raw: async () => {
          const task = (await getItem(keys.task(trashTask.id), true))!;
          await access(task.projectId, A.userId);
          const { deletedAt: _d, deletedBy: _b, expiresAt: _e, ...live } = task;
          await putTask({ ...live, ...keys.taskIndex({ id: task.id, projectId: task.projectId, createdBy: task.createdBy }), version: task.version + 1, ...stamp() }, task.version, true);
        },
      },
    ],
    [
      {
        variant: 'projects.create',
        route: 'POST /v1/projects',
        event: () => ev('POST /v1/projects', { user: C, body: { name: `Bench project ${next()}` }, headers: { 'idempotency-key': randomUUID() } }),
        check: (result) => {
          state.createdByHandler.push(String(expectOk('create-project', resultOf(result)).body.id));
        },
        raw: async () => {
          const key = idempotencyKey('create-project');
          await idempotencyStart(key);
          const profile = await getItem(keys.user(C.userId), false);
          const id = `RAW${randomUUID().replaceAll('-', '').slice(0, 23).toUpperCase()}`;
          const at = new Date().toISOString();
          const change = { modifiedBy: C.userId, requestId: `raw-${randomUUID()}` };
          const projectItem = { id, name: `Raw project ${next()}`, description: null, ownerId: C.userId, createdBy: C.userId, createdAt: at, updatedAt: at, version: 1 };
          const membership = {
            projectId: id, userId: C.userId, role: 'owner', email: profile?.email ?? C.email, name: profile?.name ?? '', addedBy: C.userId, createdAt: at, updatedAt: at, version: 1,
          };
          await raw.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: table(), Item: { ...keys.project(id), entity: 'Project', ...projectItem, ownerCount: 1, ...change }, ConditionExpression: 'attribute_not_exists(pk)' } },
                {
                  Put: {
                    TableName: table(),
                    Item: { ...keys.member(id, C.userId), ...keys.memberIndex(id, C.userId), entity: 'Membership', ...membership, ...change },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          );
          state.createdByRaw.push(id);
          await idempotencyDone(key, { ...projectItem, role: 'owner' });
        },
      },
    ],
    [
      {
        variant: 'projects.delete',
        route: 'DELETE /v1/projects/{projectId}',
        event: () => {
          const projectId = state.createdByHandler.shift();
          if (!projectId) throw new Error('no project left to delete (projects.create must run as often)');
          return ev('DELETE /v1/projects/{projectId}', { user: C, params: { projectId } });
        },
        check: ok('delete-project'),
        raw: async () => {
          const projectId = state.createdByRaw.shift();
          if (!projectId) throw new Error('no raw project left to delete');
          await access(projectId, C.userId);
          const at = new Date().toISOString();
          await raw.send(
            new UpdateCommand({
              TableName: table(),
              Key: keys.project(projectId),
              UpdateExpression: 'SET deletedAt = :at, deletedBy = :by, expiresAt = :expires, updatedAt = :at, version = version + :one, modifiedBy = :by, requestId = :rid',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
              ExpressionAttributeValues: { ':at': at, ':by': C.userId, ':one': 1, ':rid': `raw-${randomUUID()}`, ':expires': Math.floor(Date.now() / 1000) + 30 * 86_400 },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
        },
      },
    ],
    [
      {
        variant: 'projects.get',
        route: 'GET /v1/projects/{projectId}',
        event: () => ev('GET /v1/projects/{projectId}', { user: A, params: { projectId: P } }),
        check: ok('get-project'),
        raw: async () => {
          await access(P, A.userId);
        },
      },
    ],
    [
      {
        variant: 'projects.list',
        route: 'GET /v1/projects',
        event: () => ev('GET /v1/projects', { user: A }),
        check: ok('list-projects'),
        raw: async () => {
          const list = keys.projectsOfUser(A.userId);
          const { Items = [] } = await raw.send(
            new QueryCommand({
              TableName: table(),
              IndexName: INDEX.byContainer,
              KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
              ExpressionAttributeValues: { ':pk': list.gsi1pk, ':prefix': list.gsi1skPrefix },
              Limit: 20,
            }),
          );
          const live = Items.filter((m) => m.deletedAt === undefined);
          if (live.length) {
            await raw.send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: live.map((m) => keys.project(m.projectId)), ConsistentRead: true } } }));
          }
        },
      },
    ],
    [
      {
        variant: 'projects.update',
        route: 'PATCH /v1/projects/{projectId}',
        event: () =>
          ev('PATCH /v1/projects/{projectId}', { user: A, params: { projectId: P }, body: { description: `Described ${next()}` }, headers: { 'if-match': `"${state.projectVersion}"` } }),
        check: (result) => {
          state.projectVersion = versionOf(expectOk('update-project', resultOf(result)));
        },
        raw: async () => {
          const found = await access(P, A.userId);
          const current = found.find((i) => i.sk === 'PROJECT');
          const expected = Number(current?.version);
          const { Attributes } = await raw.send(
            new UpdateCommand({
              TableName: table(),
              Key: keys.project(P),
              UpdateExpression: 'SET updatedAt = :at, version = version + :one, modifiedBy = :by, requestId = :rid, description = :description',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND version = :expected',
              ExpressionAttributeValues: { ':at': new Date().toISOString(), ':one': 1, ':by': A.userId, ':rid': `raw-${randomUUID()}`, ':expected': expected, ':description': `Raw ${next()}` },
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          state.projectVersion = Number(Attributes?.version);
        },
      },
    ],
    [
      {
        variant: 'projects.members.list',
        route: 'GET /v1/projects/{projectId}/members',
        event: () => ev('GET /v1/projects/{projectId}/members', { user: A, params: { projectId: P } }),
        check: ok('list-members'),
        raw: async () => {
          await access(P, A.userId);
          const list = keys.membersOfProject(P);
          await raw.send(
            new QueryCommand({
              TableName: table(),
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              FilterExpression: 'attribute_not_exists(deletedAt)',
              ExpressionAttributeValues: { ':pk': list.pk, ':prefix': list.skPrefix },
              ConsistentRead: true,
              Limit: 20,
            }),
          );
        },
      },
    ],
    [
      {
        variant: 'projects.members.add',
        route: 'POST /v1/projects/{projectId}/members',
        event: () => ev('POST /v1/projects/{projectId}/members', { user: A, params: { projectId: P }, body: { email: D.email, role: 'viewer' } }),
        check: ok('add-member'),
        raw: async () => {
          await access(P, A.userId);
          const claim = await getItem(keys.email(D.email), true);
          const profile = (await getItem(keys.user(String(claim?.userId)), true))!;
          const at = new Date().toISOString();
          await raw.send(
            new PutCommand({
              TableName: table(),
              Item: {
                ...keys.member(P, D.userId), ...keys.memberIndex(P, D.userId), entity: 'Membership', projectId: P, userId: D.userId, role: 'viewer', email: profile.email,
                name: profile.name, addedBy: A.userId, createdAt: at, updatedAt: at, version: 1, modifiedBy: A.userId, requestId: `raw-${randomUUID()}`,
              },
              ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(deletedAt)',
            }),
          );
        },
      },
      {
        variant: 'projects.members.remove',
        route: 'DELETE /v1/projects/{projectId}/members/{userId}',
        event: () => ev('DELETE /v1/projects/{projectId}/members/{userId}', { user: A, params: { projectId: P, userId: D.userId } }),
        check: ok('remove-member'),
        raw: async () => {
          await access(P, A.userId);
          const target = (await getItem(keys.member(P, D.userId), true))!;
          const at = new Date().toISOString();
          await raw.send(
            new UpdateCommand({
              TableName: table(),
              Key: keys.member(P, D.userId),
              UpdateExpression:
                'SET deletedAt = :at, deletedBy = :by, expiresAt = :expires, updatedAt = :at, version = version + :one, modifiedBy = :by, requestId = :rid REMOVE gsi1pk, gsi1sk',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND #role = :role',
              ExpressionAttributeNames: { '#role': 'role' },
              ExpressionAttributeValues: { ':at': at, ':by': A.userId, ':rid': `raw-${randomUUID()}`, ':one': 1, ':role': target.role, ':expires': Math.floor(Date.now() / 1000) + 86_400 },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
        },
      },
    ],
    [
      {
        variant: 'projects.members.update',
        route: 'PATCH /v1/projects/{projectId}/members/{userId}',
        event: () => {
          state.memberRole = state.memberRole === 'editor' ? 'viewer' : 'editor';
          return ev('PATCH /v1/projects/{projectId}/members/{userId}', {
            user: A,
            params: { projectId: P, userId: B.userId },
            body: { role: state.memberRole },
            headers: { 'if-match': `"${state.memberVersion}"` },
          });
        },
        check: (result) => {
          state.memberVersion = versionOf(expectOk('update-member', resultOf(result)));
        },
        raw: async () => {
          await access(P, A.userId);
          const target = (await getItem(keys.member(P, B.userId), true))!;
          state.memberRole = state.memberRole === 'editor' ? 'viewer' : 'editor';
          await raw.send(
            new UpdateCommand({
              TableName: table(),
              Key: keys.member(P, B.userId),
              UpdateExpression: 'SET #role = :to, updatedAt = :at, version = version + :one, modifiedBy = :by, requestId = :rid',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND version = :expected AND #role = :from',
              ExpressionAttributeNames: { '#role': 'role' },
              ExpressionAttributeValues: {
                ':to': state.memberRole, ':from': target.role, ':at': new Date().toISOString(), ':one': 1, ':by': A.userId, ':rid': `raw-${randomUUID()}`, ':expected': target.version,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          state.memberVersion = target.version + 1;
        },
      },
    ],
    [
      {
        variant: 'auth.authorizer',
        route: AUTHORIZER_KEY,
        event: () => authorizerEvent(users.a.accessToken),
        check: (result) => {
          if ((result as { isAuthorized?: boolean }).isAuthorized !== true) throw new Error(`the authorizer refused: ${JSON.stringify(result)}`);
        },
        raw: async () => {
          // One consistent BatchGetItem (profile, sessions cutoff, this session's mark) in parallel with the quota counter.
          await Promise.all([
            raw.send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: [keys.user(A.userId), keys.sessions(A.userId), keys.session(A.userId, 'raw')], ConsistentRead: true } } })),
            raw.send(
              new UpdateCommand({
                TableName: table(),
                Key: keys.requestQuota(`raw-${A.userId}`),
                UpdateExpression: 'ADD #count :one',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':one': 1 },
              }),
            ),
          ]);
        },
      },
    ],
  ];

  return { groups, close: () => rawClient.destroy() };
};
