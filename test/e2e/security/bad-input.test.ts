// Bad input gets a clear 4xx problem+json (with field errors where a field is to blame) and writes
// nothing: the caller's tasks and projects are counted before and after every group of requests.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, as, newUser, type TestUser } from '#test/support/api-client';
import { expectProblem, idsOf, ifMatch } from '#test/support/e2e-helpers';

let user: TestUser;
let projectId: string;
let taskId: string;

const state = async () => {
  const c = as(user);
  const [tasks, projects, projectTasks, task, project, members] = await Promise.all([
    idsOf(c, '/v1/tasks'),
    idsOf(c, '/v1/projects'),
    idsOf(c, `/v1/tasks?projectId=${projectId}`),
    c.get(`/v1/tasks/${taskId}`),
    c.get(`/v1/projects/${projectId}`),
    c.get(`/v1/projects/${projectId}/members`),
  ]);
  return { tasks, projects, projectTasks, task: task.body, project: project.body, members: members.body };
};

/** Runs the requests and checks that none of them changed anything. */
const writesNothing = async (requests: () => Promise<void>) => {
  const before = await state();
  await requests();
  expect(await state()).toEqual(before);
};

beforeAll(async () => {
  user = await newUser();
  const project = await as(user).post('/v1/projects', { name: 'Bad input' });
  expect(project).toHaveStatus(201);
  projectId = project.body.id;
  const task = await as(user).post('/v1/tasks', { title: 'Untouchable', tags: ['a'] });
  expect(task).toHaveStatus(201);
  taskId = task.body.id;
});

describe('bodies', () => {
  it('refuses malformed JSON on every kind of write', async () => {
    await writesNothing(async () => {
      for (const raw of ['{"title": ', '{title: "x"}', "{'title':'x'}", '[1,2', 'undefined']) {
        const res = await as(user).post('/v1/tasks', raw);
        expectProblem(res, 400);
        expect(res.body.type).toMatch(/malformed-json/);
      }
      expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, '{"title":', ifMatch(1)), 400);
      expectProblem(await as(user).post('/v1/projects', '{"name":'), 400);
      expectProblem(await as(user).patch(`/v1/projects/${projectId}`, 'nope', ifMatch(1)), 400);
      expectProblem(await as(user).post(`/v1/projects/${projectId}/members`, '{'), 400);
      expectProblem(await api.post('/v1/auth/login', '{"email":'), 400);
      expectProblem(await api.post('/v1/auth/register', '{"email":'), 400);
    });
  });

  it('refuses JSON that is not an object, and a missing body', async () => {
    await writesNothing(async () => {
      for (const body of ['[]', '"title"', '42', 'null', 'true']) {
        expectProblem(await as(user).post('/v1/tasks', body), 400);
      }
      expectProblem(await as(user).post('/v1/tasks'), 400);
      expectProblem(await as(user).post('/v1/projects'), 400);
    });
  });

  it('refuses unknown fields, and fields a client may never set', async () => {
    await writesNothing(async () => {
      for (const extra of [{ colour: 'red' }, { ownerId: 'someone' }, { createdBy: 'someone' }, { version: 3 }, { completedAt: '2030-01-01T00:00:00Z' }, { id: 'mine' }, { deletedAt: null }]) {
        const res = await as(user).post('/v1/tasks', { title: 'x', ...extra });
        expectProblem(res, 400, ['body']);
        expect(JSON.stringify(res.body.errors), 'the errors name the offending key').toContain(Object.keys(extra)[0]);
      }
      expectProblem(await as(user).post('/v1/projects', { name: 'x', members: [] }), 400, ['body']);
      expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, { title: 'x', colour: 'red' }, ifMatch(1)), 400, ['body']);
      expectProblem(await as(user).post(`/v1/projects/${projectId}/members`, { email: user.email, role: 'viewer', admin: true }), 400, ['body']);
    });
  });

  it('refuses too-long strings and lists, naming the field', async () => {
    await writesNothing(async () => {
      expectProblem(await as(user).post('/v1/tasks', { title: 't'.repeat(201) }), 400, ['body.title']);
      expectProblem(await as(user).post('/v1/tasks', { title: '' }), 400, ['body.title']);
      expectProblem(await as(user).post('/v1/tasks', { title: '    ' }), 400, ['body.title']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'ok', description: 'd'.repeat(5001) }), 400, ['body.description']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'ok', tags: ['t'.repeat(41)] }), 400, ['body.tags']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'ok', tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }), 400, ['body.tags']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'ok', tags: ['a,b'] }), 400, ['body.tags']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'ok', tags: [''] }), 400, ['body.tags']);
      expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, { title: 't'.repeat(201) }, ifMatch(1)), 400, ['body.title']);
      expectProblem(await as(user).post('/v1/projects', { name: 'n'.repeat(101) }), 400, ['body.name']);
      expectProblem(await as(user).patch(`/v1/projects/${projectId}`, { description: 'd'.repeat(2001) }, ifMatch(1)), 400, ['body.description']);
      expectProblem(await as(user).post(`/v1/projects/${projectId}/members`, { email: `${'a'.repeat(250)}@example.com`, role: 'viewer' }), 400, ['body.email']);
    });
  });

  it('refuses bad dates', async () => {
    await writesNothing(async () => {
      for (const dueAt of ['tomorrow', '2030-13-01T00:00:00Z', '2030-02-30T00:00:00Z', '2030-01-01', '2030-01-01T25:00:00Z', '1700000000', 1700000000, '']) {
        expectProblem(await as(user).post('/v1/tasks', { title: 'dated', dueAt }), 400, ['body.dueAt']);
      }
      expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, { dueAt: 'next week' }, ifMatch(1)), 400, ['body.dueAt']);
    });
  });

  it('refuses wrong enums and wrong types', async () => {
    await writesNothing(async () => {
      expectProblem(await as(user).post('/v1/tasks', { title: 'x', status: 'finished' }), 400, ['body.status']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'x', status: 'DONE' }), 400, ['body.status']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'x', priority: 'critical' }), 400, ['body.priority']);
      expectProblem(await as(user).post('/v1/tasks', { title: 42 }), 400, ['body.title']);
      expectProblem(await as(user).post('/v1/tasks', { title: { text: 'x' } }), 400, ['body.title']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'x', tags: 'a' }), 400, ['body.tags']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'x', tags: [1] }), 400, ['body.tags']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'x', projectId: 'bad id!' }), 400, ['body.projectId']);
      expectProblem(await as(user).post('/v1/tasks', { title: 'x', assigneeId: 7 }), 400, ['body.assigneeId']);
      expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, { status: 'archived' }, ifMatch(1)), 400, ['body.status']);
      expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, { title: 'x', version: '1' }), 400, ['body.version']);
      expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, { title: 'x', version: 0 }), 400, ['body.version']);
      expectProblem(await as(user).post(`/v1/projects/${projectId}/members`, { email: user.email, role: 'admin' }), 400, ['body.role']);
    });
  });

  it('refuses several bad fields at once, naming each', async () => {
    await writesNothing(async () => {
      const res = await as(user).post('/v1/tasks', { title: '', status: 'nope', priority: 'nope', dueAt: 'nope' });
      expectProblem(res, 400, ['body.title', 'body.status', 'body.priority', 'body.dueAt']);
    });
  });

  it('refuses an oversized body (> 64 KiB) with 413 or 400', async () => {
    await writesNothing(async () => {
      const big = { title: 'big', description: 'd'.repeat(70 * 1024) };
      const res = await as(user).post('/v1/tasks', big);
      expect([400, 413]).toContain(res.status);
      expectProblem(res, res.status);
      const patch = await as(user).patch(`/v1/tasks/${taskId}`, { ...big, title: 'bigger' }, ifMatch(1));
      expect([400, 413]).toContain(patch.status);
      const project = await as(user).post('/v1/projects', { name: 'big', description: 'd'.repeat(70 * 1024) });
      expect([400, 413]).toContain(project.status);
    });
  });

  it('refuses a body that is not JSON', async () => {
    await writesNothing(async () => {
      const res = await as(user).post('/v1/tasks', 'title=x', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect([400, 415]).toContain(res.status);
      expectProblem(res, res.status);
    });
  });
});

describe('query strings and path parameters', () => {
  it('refuses a bad limit or cursor, naming the query field', async () => {
    for (const path of ['/v1/tasks', '/v1/projects', `/v1/projects/${projectId}/members`]) {
      const sep = path.includes('?') ? '&' : '?';
      for (const limit of ['0', '101', 'abc', '-5', '1.5', '']) {
        expectProblem(await as(user).get(`${path}${sep}limit=${limit}`), 400, ['query.limit']);
      }
      for (const cursor of ['garbage', 'eyJub3QiOiJhIGtleSJ9', '%00', 'x'.repeat(3000)]) {
        expectProblem(await as(user).get(`${path}${sep}cursor=${cursor}`), 400, ['query.cursor']);
      }
    }
  });

  it('refuses bad task filters, naming each', async () => {
    expectProblem(await as(user).get('/v1/tasks?status=finished'), 400, ['query.status']);
    expectProblem(await as(user).get('/v1/tasks?priority=critical'), 400, ['query.priority']);
    expectProblem(await as(user).get('/v1/tasks?dueBefore=soon'), 400, ['query.dueBefore']);
    expectProblem(await as(user).get('/v1/tasks?dueAfter=2030-01-01'), 400, ['query.dueAfter']);
    expectProblem(await as(user).get('/v1/tasks?dueAfter=2030-02-01T00:00:00Z&dueBefore=2030-01-01T00:00:00Z'), 400, ['query.dueAfter']);
    expectProblem(await as(user).get('/v1/tasks?projectId=bad%20id'), 400, ['query.projectId']);
    expectProblem(await as(user).get(`/v1/tasks?tag=${'t'.repeat(41)}`), 400, ['query.tag']);
    expectProblem(await as(user).get('/v1/tasks?sort=title'), 400, ['query']);
    expectProblem(await as(user).get('/v1/projects?sort=name'), 400, ['query']);
  });

  it('refuses malformed ids in the path, naming the parameter', async () => {
    await writesNothing(async () => {
      expectProblem(await as(user).get('/v1/tasks/bad%24id'), 400, ['params.taskId']);
      expectProblem(await as(user).get(`/v1/tasks/${'x'.repeat(65)}`), 400, ['params.taskId']);
      expectProblem(await as(user).patch('/v1/tasks/bad%24id', { title: 'x' }, ifMatch(1)), 400, ['params.taskId']);
      expectProblem(await as(user).delete('/v1/tasks/bad%24id'), 400, ['params.taskId']);
      expectProblem(await as(user).post('/v1/tasks/bad%24id/restore'), 400, ['params.taskId']);
      expectProblem(await as(user).get(`/v1/projects/${'p'.repeat(65)}`), 400, ['params.projectId']);
      expectProblem(await as(user).delete(`/v1/projects/${projectId}/members/${'u'.repeat(65)}`), 400, ['params.userId']);
    });
  });

  it('refuses a malformed If-Match', async () => {
    await writesNothing(async () => {
      for (const value of ['"abc"', 'W/"x"', '"-1"', 'v1']) {
        expectProblem(await as(user).patch(`/v1/tasks/${taskId}`, { title: 'x' }, { headers: { 'if-match': value } }), 400);
      }
    });
  });

  it('refuses a body on routes that take none', async () => {
    await writesNothing(async () => {
      expectProblem(await as(user).delete(`/v1/tasks/${taskId}`, { force: true }), 400);
      expectProblem(await as(user).delete(`/v1/projects/${projectId}`, { cascade: true }), 400);
    });
  });
});
