// Attacks through input and HTTP hygiene: forged list cursors, dates past year 9999, control and invisible
// characters in text, and the headers every response carries (nosniff, no-store, CORS for the allowed origins only).
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, as, demo, newUser, type ApiResponse, type Client, type TestUser } from '#test/support/api-client';
import { expectProblem, idsOf, ifMatch } from '#test/support/e2e-helpers';
import { localStack } from '#test/support/local-stack';
import { keys } from '#shared/store/keys';

let alice: TestUser;
let bob: TestUser;
let projectId: string;
let bobProjectId: string;
let taskId: string;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const withCursor = (path: string, cursor: string) => `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;

/** A 400 problem naming query.cursor: the forged cursor never reached DynamoDB (which would make it a 500). */
const expectCursorRefused = (res: ApiResponse, what: string) => {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
  expectProblem(res, 400, ['query.cursor']);
};

/** A genuine nextCursor of `path` (the list must hold more than one item). */
const realCursor = async (client: Client, path: string): Promise<string> => {
  const res = await client.get(`${path}${path.includes('?') ? '&' : '?'}limit=1`);
  expect(res).toHaveStatus(200);
  expect(typeof res.body.nextCursor, `${path} has a second page`).toBe('string');
  return res.body.nextCursor as string;
};

const JAN = '2030-01-01T00:00:00.000Z';
const DEC = '2030-12-31T00:00:00.000Z';

/**
 * Every paginated route, with a key of its own list (as the store writes it), the same key in another caller's or
 * container's list, and a sort key outside the queried range.
 */
interface PagedRoute {
  name: string;
  client: () => Client;
  path: () => string;
  /** [key attribute names], a key of this list, and the partition attribute of the Query. */
  key: () => Record<string, string>;
  partition: string;
  sortKey: string;
  /** A key of the same shape in another list (another user, another project). */
  foreign: () => Record<string, string>;
  /** A sort key outside the queried range. */
  outOfRange: string;
  /** Wraps a key as the route's cursor payload. */
  wrap?: (key: Record<string, string>) => unknown;
}

const audit = (p: string) => (key: Record<string, string>) => ({ p, k: key });

const pagedRoutes = (): PagedRoute[] => [
  {
    name: 'GET /v1/tasks (my private tasks)',
    client: () => as(alice),
    path: () => '/v1/tasks',
    key: () => ({ pk: `TASK#${taskId}`, sk: 'TASK', ...keys.taskIndex({ id: taskId, projectId: null, createdBy: alice.userId }) }),
    partition: 'gsi1pk',
    sortKey: 'gsi1sk',
    foreign: () => ({ pk: `TASK#${taskId}`, sk: 'TASK', ...keys.taskIndex({ id: taskId, projectId: null, createdBy: bob.userId }) }),
    outOfRange: 'PROJECT#x',
  },
  {
    name: "GET /v1/tasks?projectId (a project's tasks)",
    client: () => as(alice),
    path: () => `/v1/tasks?projectId=${projectId}`,
    key: () => ({ pk: `TASK#${taskId}`, sk: 'TASK', ...keys.taskIndex({ id: taskId, projectId, createdBy: alice.userId }) }),
    partition: 'gsi1pk',
    sortKey: 'gsi1sk',
    foreign: () => ({ pk: `TASK#${taskId}`, sk: 'TASK', ...keys.taskIndex({ id: taskId, projectId: bobProjectId, createdBy: bob.userId }) }),
    outOfRange: 'MEMBER#x',
  },
  {
    name: 'GET /v1/tasks?assigneeId=me&dueAfter&dueBefore (my work queue)',
    client: () => as(alice),
    path: () => `/v1/tasks?assigneeId=me&dueAfter=${JAN}&dueBefore=${DEC}`,
    key: () => ({ pk: `TASK#${taskId}`, sk: 'TASK', ...keys.assigneeIndex({ id: taskId, assigneeId: alice.userId, dueAt: '2030-06-01T00:00:00.000Z' }) }),
    partition: 'gsi2pk',
    sortKey: 'gsi2sk',
    foreign: () => ({ pk: `TASK#${taskId}`, sk: 'TASK', ...keys.assigneeIndex({ id: taskId, assigneeId: bob.userId, dueAt: '2030-06-01T00:00:00.000Z' }) }),
    // Due in 2031: outside dueBefore, still an assignee key.
    outOfRange: `DUE#2031-06-01T00:00:00.000Z#${taskId}`,
  },
  {
    name: 'GET /v1/projects (my projects)',
    client: () => as(alice),
    path: () => '/v1/projects',
    key: () => ({ ...keys.member(projectId, alice.userId), ...keys.memberIndex(projectId, alice.userId) }),
    partition: 'gsi1pk',
    sortKey: 'gsi1sk',
    foreign: () => ({ ...keys.member(bobProjectId, bob.userId), ...keys.memberIndex(bobProjectId, bob.userId) }),
    outOfRange: 'TASK#x',
  },
  {
    name: "GET /v1/projects/{projectId}/members (a project's members)",
    client: () => as(alice),
    path: () => `/v1/projects/${projectId}/members`,
    key: () => keys.member(projectId, alice.userId),
    partition: 'pk',
    sortKey: 'sk',
    foreign: () => keys.member(bobProjectId, bob.userId),
    outOfRange: 'PROJECT',
  },
  {
    name: 'GET /v1/notifications (my inbox)',
    client: () => as(alice),
    path: () => '/v1/notifications',
    key: () => keys.notification(alice.userId, '01JAAAAAAAAAAAAAAAAAAAAAAA'),
    partition: 'pk',
    sortKey: 'sk',
    foreign: () => keys.notification(bob.userId, '01JAAAAAAAAAAAAAAAAAAAAAAA'),
    outOfRange: 'PROFILE',
  },
  {
    name: 'GET /v1/notifications?unread=true (my unread notifications)',
    client: () => as(alice),
    path: () => '/v1/notifications?unread=true',
    key: () => ({ ...keys.notification(alice.userId, '01JAAAAAAAAAAAAAAAAAAAAAAA'), ...keys.unreadIndex(alice.userId, '01JAAAAAAAAAAAAAAAAAAAAAAA') }),
    partition: 'gsi1pk',
    sortKey: 'gsi1sk',
    foreign: () => ({ ...keys.notification(bob.userId, '01JAAAAAAAAAAAAAAAAAAAAAAA'), ...keys.unreadIndex(bob.userId, '01JAAAAAAAAAAAAAAAAAAAAAAA') }),
    outOfRange: 'TASK#x',
  },
  {
    name: 'GET /v1/admin/users?emailPrefix (admin user search)',
    client: () => as(demo.admin),
    path: () => '/v1/admin/users?emailPrefix=e2e-',
    key: () => ({ ...keys.user(alice.userId), ...keys.userIndex(alice.email) }),
    partition: 'gsi1pk',
    sortKey: 'gsi1sk',
    foreign: () => ({ ...keys.user(alice.userId), gsi1pk: 'PROJECT#x#TASKS', gsi1sk: `EMAIL#${alice.email}` }),
    // Outside the searched prefix.
    outOfRange: 'EMAIL#admin@example.com',
  },
  {
    name: 'GET /v1/admin/audit?from&to (the audit log by month)',
    client: () => as(demo.admin),
    path: () => `/v1/admin/audit?from=${JAN}&to=${DEC}`,
    key: () => keys.auditRecord('2030-06-01T00:00:00.000Z', '01JAAAAAAAAAAAAAAAAAAAAAAA'),
    partition: 'pk',
    sortKey: 'sk',
    foreign: () => keys.auditRecord('2031-06-01T00:00:00.000Z', '01JAAAAAAAAAAAAAAAAAAAAAAA'),
    outOfRange: 'AUDIT#2031-06-01T00:00:00.000Z#01JAAAAAAAAAAAAAAAAAAAAAAA',
    wrap: (key) => audit('AUDIT#2030-06')(key),
  },
  {
    name: "GET /v1/admin/audit?entityType&entityId (an entity's history)",
    client: () => as(demo.admin),
    path: () => `/v1/admin/audit?entityType=Task&entityId=${taskId}&from=${JAN}&to=${DEC}`,
    key: () => {
      const index = keys.auditIndex({ occurredAt: '2030-06-01T00:00:00.000Z', id: 'e1', entity: { type: 'Task', id: taskId }, actor: { userId: alice.userId } });
      return { ...keys.auditRecord('2030-06-01T00:00:00.000Z', 'e1'), gsi1pk: index.gsi1pk, gsi1sk: index.gsi1sk };
    },
    partition: 'gsi1pk',
    sortKey: 'gsi1sk',
    foreign: () => {
      const index = keys.auditIndex({ occurredAt: '2030-06-01T00:00:00.000Z', id: 'e1', entity: { type: 'Project', id: projectId }, actor: { userId: alice.userId } });
      return { ...keys.auditRecord('2030-06-01T00:00:00.000Z', 'e1'), gsi1pk: index.gsi1pk, gsi1sk: index.gsi1sk };
    },
    outOfRange: 'AUDIT#2029-06-01T00:00:00.000Z#e1',
    wrap: (key) => ({ p: `AUDIT#Task#${taskId}`, k: key }),
  },
  {
    name: "GET /v1/admin/audit?actorId (a user's changes)",
    client: () => as(demo.admin),
    path: () => `/v1/admin/audit?actorId=${alice.userId}&from=${JAN}&to=${DEC}`,
    key: () => {
      const index = keys.auditIndex({ occurredAt: '2030-06-01T00:00:00.000Z', id: 'e1', entity: { type: 'Task', id: taskId }, actor: { userId: alice.userId } });
      return { ...keys.auditRecord('2030-06-01T00:00:00.000Z', 'e1'), gsi2pk: index.gsi2pk, gsi2sk: index.gsi2sk };
    },
    partition: 'gsi2pk',
    sortKey: 'gsi2sk',
    foreign: () => {
      const index = keys.auditIndex({ occurredAt: '2030-06-01T00:00:00.000Z', id: 'e1', entity: { type: 'Task', id: taskId }, actor: { userId: bob.userId } });
      return { ...keys.auditRecord('2030-06-01T00:00:00.000Z', 'e1'), gsi2pk: index.gsi2pk, gsi2sk: index.gsi2sk };
    },
    outOfRange: 'AUDIT#2031-06-01T00:00:00.000Z#e1',
    wrap: (key) => ({ p: `AUDIT#ACTOR#${alice.userId}`, k: key }),
  },
];

beforeAll(async () => {
  [alice, bob] = await Promise.all([newUser(), newUser()]);
  const [project, bobProject] = await Promise.all([
    as(alice).post('/v1/projects', { name: 'Cursor target' }),
    as(bob).post('/v1/projects', { name: "Bob's" }),
  ]);
  expect(project).toHaveStatus(201);
  expect(bobProject).toHaveStatus(201);
  projectId = project.body.id;
  bobProjectId = bobProject.body.id;
  expect(await as(alice).post('/v1/projects', { name: 'Second' })).toHaveStatus(201);
  expect(await as(alice).post(`/v1/projects/${projectId}/members`, { email: bob.email, role: 'editor' })).toHaveStatus(201);
  for (const title of ['one', 'two']) {
    const task = await as(alice).post('/v1/tasks', { title, assigneeId: alice.userId, dueAt: '2030-06-01T00:00:00Z' });
    expect(task).toHaveStatus(201);
    taskId = task.body.id;
    expect(await as(alice).post('/v1/tasks', { title, projectId })).toHaveStatus(201);
    expect(await as(bob).post('/v1/tasks', { title })).toHaveStatus(201);
  }
});

describe('forged list cursors', () => {
  it('a forged cursor with empty key strings is refused with 400 query.cursor on every paginated route, never a 5xx', async () => {
    for (const route of pagedRoutes()) {
      const key = route.key();
      const wrap = route.wrap ?? ((k: Record<string, string>) => k);
      for (const name of Object.keys(key)) {
        const res = await route.client().get(withCursor(route.path(), b64(wrap({ ...key, [name]: '' }))));
        expectCursorRefused(res, `${route.name}, empty ${name}`);
      }
      const empty = Object.fromEntries(Object.keys(key).map((name) => [name, '']));
      expectCursorRefused(await route.client().get(withCursor(route.path(), b64(wrap(empty)))), `${route.name}, all empty`);
    }
  });

  it("a cursor naming another user's or another project's list is refused with 400 query.cursor on every paginated route", async () => {
    for (const route of pagedRoutes()) {
      const wrap = route.wrap ?? ((k: Record<string, string>) => k);
      expectCursorRefused(await route.client().get(withCursor(route.path(), b64(wrap(route.foreign())))), `${route.name}, foreign partition`);
      const key = route.key();
      expectCursorRefused(
        await route.client().get(withCursor(route.path(), b64(wrap({ ...key, [route.partition]: `${key[route.partition]}X` })))),
        `${route.name}, altered partition`,
      );
    }
  });

  it('a cursor whose sort key lies outside the queried range is refused with 400 query.cursor on every paginated route', async () => {
    for (const route of pagedRoutes()) {
      const wrap = route.wrap ?? ((k: Record<string, string>) => k);
      const res = await route.client().get(withCursor(route.path(), b64(wrap({ ...route.key(), [route.sortKey]: route.outOfRange }))));
      expectCursorRefused(res, `${route.name}, sort key ${route.outOfRange}`);
    }
  });

  it('a well-formed key inside the list is accepted (the checks refuse forgeries, not positions)', async () => {
    for (const route of pagedRoutes()) {
      const wrap = route.wrap ?? ((k: Record<string, string>) => k);
      const res = await route.client().get(withCursor(route.path(), b64(wrap(route.key()))));
      expect(res.status, `${route.name}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  });

  it('garbage, truncated and wrongly typed cursors are refused with 400 query.cursor on every paginated route', async () => {
    const genuine = await realCursor(as(alice), '/v1/tasks');
    const garbage = ['!!!!', 'not-base64-%%%', genuine.slice(0, Math.floor(genuine.length / 2)), genuine.slice(0, -3), b64([1, 2]), b64('x'), b64(null), Buffer.from('\u0000\u0001binary').toString('base64url'), 'A'.repeat(2048)];
    for (const route of pagedRoutes()) {
      for (const cursor of garbage) expectCursorRefused(await route.client().get(withCursor(route.path(), cursor)), `${route.name}, cursor ${cursor.slice(0, 20)}`);
      const key = route.key();
      const wrap = route.wrap ?? ((k: Record<string, string>) => k);
      expectCursorRefused(await route.client().get(withCursor(route.path(), b64(wrap({ ...key, [route.partition]: 42 as unknown as string })))), `${route.name}, number`);
      expectCursorRefused(await route.client().get(withCursor(route.path(), b64(wrap({ ...key, extra: 'x' })))), `${route.name}, extra attribute`);
    }
  });

  it("another user's genuine cursor, and a genuine cursor of another list, are refused with 400 query.cursor", async () => {
    const bobsTasks = await realCursor(as(bob), '/v1/tasks');
    expectCursorRefused(await as(alice).get(withCursor('/v1/tasks', bobsTasks)), "bob's private-task cursor on alice's list");
    const alicesTasks = await realCursor(as(alice), '/v1/tasks');
    const projectTasks = await realCursor(as(alice), `/v1/tasks?projectId=${projectId}`);
    const projects = await realCursor(as(alice), '/v1/projects');
    const members = await realCursor(as(alice), `/v1/projects/${projectId}/members`);
    expectCursorRefused(await as(bob).get(withCursor('/v1/projects', projects)), "alice's projects cursor on bob's list");
    expectCursorRefused(await as(bob).get(withCursor(`/v1/tasks?projectId=${bobProjectId}`, projectTasks)), "a project's cursor on another project");
    for (const route of pagedRoutes()) {
      for (const [from, cursor] of Object.entries({ alicesTasks, projectTasks, projects, members })) {
        if (route.path() === '/v1/tasks' && from === 'alicesTasks') continue;
        if (route.path() === `/v1/tasks?projectId=${projectId}` && from === 'projectTasks') continue;
        if (route.path() === '/v1/projects' && from === 'projects') continue;
        if (route.path() === `/v1/projects/${projectId}/members` && from === 'members') continue;
        expectCursorRefused(await route.client().get(withCursor(route.path(), cursor)), `${route.name} with a cursor of ${from}`);
      }
    }
    // The genuine cursors still work on their own lists.
    expect(await as(alice).get(withCursor('/v1/tasks', alicesTasks))).toHaveStatus(200);
    expect(await as(alice).get(withCursor(`/v1/projects/${projectId}/members`, members))).toHaveStatus(200);
  });

  it('a cursor of one month of the audit log cannot be replayed on a search that does not cover that month', async () => {
    const cursor = b64({ p: 'AUDIT#2030-06', k: keys.auditRecord('2030-06-01T00:00:00.000Z', 'e1') });
    expectCursorRefused(await as(demo.admin).get(withCursor(`/v1/admin/audit?from=2030-07-01T00:00:00Z&to=${DEC}`, cursor)), 'audit month outside the search');
  });
});

// ---- dates --------------------------------------------------------------------------------------------------

/** What alice can see of her data: a request that was refused must not have changed it. */
const aliceState = async () => {
  const c = as(alice);
  const [tasks, projects, projectTasks, task, me] = await Promise.all([
    idsOf(c, '/v1/tasks'),
    idsOf(c, '/v1/projects'),
    idsOf(c, `/v1/tasks?projectId=${projectId}`),
    c.get(`/v1/tasks/${taskId}`),
    c.get('/v1/me'),
  ]);
  return { tasks, projects, projectTasks, task: task.body, me: me.body };
};

const writesNothing = async (requests: () => Promise<void>) => {
  const before = await aliceState();
  await requests();
  expect(await aliceState()).toEqual(before);
};

describe('dates beyond year 9999', () => {
  const year10000 = '9999-12-31T23:59:59-23:59';

  it('a due date that is year 10000 in UTC is refused with 400 naming dueAt, and nothing is written', async () => {
    await writesNothing(async () => {
      expectProblem(await as(alice).post('/v1/tasks', { title: 'Forever', dueAt: year10000 }), 400, ['body.dueAt']);
      expectProblem(await as(alice).post('/v1/tasks', { title: 'Forever', dueAt: '+010000-01-01T00:00:00Z' }), 400, ['body.dueAt']);
      const version = (await as(alice).get(`/v1/tasks/${taskId}`)).body.version as number;
      expectProblem(await as(alice).patch(`/v1/tasks/${taskId}`, { dueAt: year10000 }, ifMatch(version)), 400, ['body.dueAt']);
    });
  });

  it('list and audit ranges past year 9999 are refused with 400 naming the field', async () => {
    expectProblem(await as(alice).get(`/v1/tasks?dueBefore=${encodeURIComponent(year10000)}`), 400, ['query.dueBefore']);
    expectProblem(await as(alice).get(`/v1/tasks?assigneeId=me&dueAfter=${encodeURIComponent(year10000)}`), 400, ['query.dueAfter']);
    expectProblem(await as(demo.admin).get(`/v1/admin/audit?to=${encodeURIComponent(year10000)}`), 400, ['query.to']);
    expectProblem(await as(demo.admin).get(`/v1/admin/audit?from=${encodeURIComponent('0000-01-01T00:00:00+00:01')}`), 400, ['query.from']);
  });

  it('the last instant of year 9999 is still a due date', async () => {
    const res = await as(alice).post('/v1/tasks', { title: 'Last instant', dueAt: '9999-12-31T23:59:59+05:00', reminders: [] });
    expect(res).toHaveStatus(201);
    expect(res.body).toMatchObject({ dueAt: '9999-12-31T18:59:59.000Z', overdue: false });
    expect(await as(alice).delete(`/v1/tasks/${res.body.id}`, undefined, ifMatch(res.body.version))).toHaveProperty('status', 204);
  });
});

// ---- text ---------------------------------------------------------------------------------------------------

describe('control and invisible characters in text', () => {
  const unsafe = {
    NUL: 'Pay\u0000 invoice',
    escape: 'Pay \u001b[31minvoice',
    DEL: 'Pay\u007f invoice',
    C1: 'Pay\u0085 invoice',
    'right-to-left override': 'Pay invoice\u202Efdp.exe',
    'isolate': 'Pay \u2066invoice\u2069',
    'zero-width space': 'Pay in\u200Bvoice',
    'lone surrogate': 'Pay \ud800invoice',
  };

  it('titles, descriptions, project names and descriptions, and display names with control characters are refused with 400 naming the field, and nothing is written', async () => {
    await writesNothing(async () => {
      for (const [kind, text] of Object.entries(unsafe)) {
        const why = `with a ${kind}`;
        const task = (await as(alice).get(`/v1/tasks/${taskId}`)).body;
        const project = (await as(alice).get(`/v1/projects/${projectId}`)).body;
        const me = (await as(alice).get('/v1/me')).body;
        for (const [res, field] of [
          [await as(alice).post('/v1/tasks', { title: text }), 'body.title'],
          [await as(alice).post('/v1/tasks', { title: 'ok', description: text }), 'body.description'],
          [await as(alice).post('/v1/tasks', { title: 'ok', tags: [text] }), 'body.tags'],
          [await as(alice).patch(`/v1/tasks/${taskId}`, { title: text }, ifMatch(task.version)), 'body.title'],
          [await as(alice).patch(`/v1/tasks/${taskId}`, { description: text }, ifMatch(task.version)), 'body.description'],
          [await as(alice).post('/v1/projects', { name: text }), 'body.name'],
          [await as(alice).post('/v1/projects', { name: 'ok', description: text }), 'body.description'],
          [await as(alice).patch(`/v1/projects/${projectId}`, { name: text }, ifMatch(project.version)), 'body.name'],
          [await as(alice).patch(`/v1/projects/${projectId}`, { description: text }, ifMatch(project.version)), 'body.description'],
          [await as(alice).patch('/v1/me', { name: text }, ifMatch(me.version)), 'body.name'],
        ] as const) {
          expectProblem(res, 400, [field]);
          expect(JSON.stringify(res.body.errors), why).toMatch(/control or invisible formatting characters/);
        }
      }
    });
  });

  it('a sign-up whose name holds a control character is refused with 400 naming the field, and no account is made', async () => {
    const email = `e2e-ctrl-${Date.now().toString(36)}@example.com`;
    expectProblem(await api.post('/v1/auth/register', { email, password: 'Tw-e2e-Ctrl-9Z-long', name: 'Mallory\u202E' }), 400, ['body.name']);
    expectProblem(await api.post('/v1/auth/login', { email, password: 'Tw-e2e-Ctrl-9Z-long' }), 401);
  });

  it('line breaks and tabs are kept in descriptions only; single-line fields refuse them', async () => {
    expectProblem(await as(alice).post('/v1/tasks', { title: 'two\nlines' }), 400, ['body.title']);
    expectProblem(await as(alice).post('/v1/projects', { name: 'a\tb' }), 400, ['body.name']);
    const res = await as(alice).post('/v1/tasks', { title: 'Multi-line 👩‍💻', description: 'Steps:\r\n\t1. one\n\t2. two' });
    expect(res).toHaveStatus(201);
    expect(res.body).toMatchObject({ title: 'Multi-line 👩‍💻', description: 'Steps:\n\t1. one\n\t2. two' });
    expect(await as(alice).delete(`/v1/tasks/${res.body.id}`, undefined, ifMatch(res.body.version))).toHaveProperty('status', 204);
  });
});

// ---- headers ------------------------------------------------------------------------------------------------

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** A request with headers fetch() would not let a test set (Origin), read raw. */
const raw = (method: string, path: string, headers: Record<string, string>): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, localStack().apiUrl), { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });

describe('response headers', () => {
  it('every API response carries nosniff: successes, problem+json errors, and the gateway’s own 401 and 404', async () => {
    const responses = {
      success: await as(alice).get('/v1/tasks'),
      problem: await as(alice).get('/v1/tasks?limit=0'),
      'not found (handler)': await as(alice).get('/v1/tasks/01ZZZZZZZZZZZZZZZZZZZZZZZZ'),
      'no such route (gateway 404)': await as(alice).get('/v1/no-such-route'),
      'no token (gateway 401)': await api.get('/v1/tasks'),
      health: await api.get('/v1/health'),
      login: await api.post('/v1/auth/login', { email: alice.email, password: alice.password }),
    };
    for (const [what, res] of Object.entries(responses)) expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  });

  it('private answers are never stored by caches: authenticated responses, their errors, and auth responses carry no-store', async () => {
    const responses = {
      'my tasks': await as(alice).get('/v1/tasks'),
      'my profile': await as(alice).get('/v1/me'),
      'a task': await as(alice).get(`/v1/tasks/${taskId}`),
      'a validation error': await as(alice).post('/v1/tasks', { title: '' }),
      'a 404 problem': await as(alice).get('/v1/tasks/01ZZZZZZZZZZZZZZZZZZZZZZZZ'),
      login: await api.post('/v1/auth/login', { email: alice.email, password: alice.password }),
      'failed login': await api.post('/v1/auth/login', { email: alice.email, password: 'wrong-password' }),
      'sign-up error': await api.post('/v1/auth/register', { email: 'x' }),
    };
    for (const [what, res] of Object.entries(responses)) expect(res.headers['cache-control'], what).toBe('no-store');
  });

  it('a replayed idempotent create carries the same protective headers as the first answer', async () => {
    const key = { headers: { 'idempotency-key': `hdr-${Date.now().toString(36)}` } };
    const first = await as(alice).post('/v1/projects', { name: 'Replayed' }, key);
    const replay = await as(alice).post('/v1/projects', { name: 'Replayed' }, key);
    expect(first).toHaveStatus(201);
    expect(replay).toHaveStatus(201);
    expect(replay.body.id).toBe(first.body.id);
    for (const res of [first, replay]) expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  });

  it("a preflight from the console's origin is answered with the API's methods and headers, without credentials or a wildcard", async () => {
    const origin = new URL(localStack().apiUrl).origin;
    const res = await raw('OPTIONS', '/v1/tasks/x', {
      origin,
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'authorization,content-type,if-match,idempotency-key',
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(String(res.headers['access-control-allow-methods']).split(',')).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']));
    expect(String(res.headers['access-control-allow-headers']).split(',')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'if-match', 'idempotency-key']));
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();

    const get = await raw('GET', '/v1/tasks', { origin, authorization: `Bearer ${alice.accessToken}` });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe(origin);
    expect(String(get.headers['access-control-expose-headers']).split(',')).toEqual(expect.arrayContaining(['etag', 'retry-after', 'ratelimit']));
  });

  it('a preflight or request from another origin gets no CORS headers, so a browser refuses to let that site read the answer', async () => {
    for (const origin of ['https://evil.example', 'null', `${new URL(localStack().apiUrl).origin}.evil.example`]) {
      const preflight = await raw('OPTIONS', '/v1/tasks', { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' });
      expect(preflight.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(preflight.headers['access-control-allow-methods'], origin).toBeUndefined();
      const get = await raw('GET', '/v1/tasks', { origin, authorization: `Bearer ${alice.accessToken}` });
      expect(get.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });
});
