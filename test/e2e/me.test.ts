// My profile: GET /v1/me and PATCH /v1/me {name, timezone} with optimistic locking.
import { beforeAll, describe, expect, it } from 'vitest';
import { as, newUser, type TestUser } from '#test/support/api-client';
import { etagVersion, expectProblem, ifMatch } from '#test/support/e2e-helpers';

let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  [alice, bob] = await Promise.all([newUser(), newUser()]);
});

describe('GET /v1/me', () => {
  it('answers my own profile, identified by the token, with an ETag of its version', async () => {
    const res = await as(alice).get('/v1/me');
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchObject({
      id: alice.userId,
      email: alice.email,
      name: alice.name,
      timezone: expect.any(String),
      version: expect.any(Number),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(etagVersion(res)).toBe(res.body.version);
    expect(JSON.stringify(res.body)).not.toMatch(/password|refreshToken/i);

    const other = await as(bob).get('/v1/me');
    expect(other.body).toMatchObject({ id: bob.userId, email: bob.email });
  });
});

describe('PATCH /v1/me', () => {
  it('changes my name and timezone with If-Match, and a GET shows the change', async () => {
    const before = await as(alice).get('/v1/me');
    const version = etagVersion(before);
    const res = await as(alice).patch('/v1/me', { name: 'Alice Renamed', timezone: 'Europe/Berlin' }, ifMatch(version));
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchObject({ id: alice.userId, name: 'Alice Renamed', timezone: 'Europe/Berlin', version: version + 1 });
    expect(etagVersion(res)).toBe(version + 1);

    const after = await as(alice).get('/v1/me');
    expect(after.body).toMatchObject({ name: 'Alice Renamed', timezone: 'Europe/Berlin', version: version + 1, email: alice.email });
    expect(Date.parse(after.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.body.updatedAt));
  });

  it('accepts the version in the body instead of If-Match', async () => {
    const { body: me } = await as(alice).get('/v1/me');
    const res = await as(alice).patch('/v1/me', { timezone: 'America/New_York', version: me.version });
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchObject({ timezone: 'America/New_York', version: me.version + 1, name: me.name });
  });

  it('answers 409 to a stale version and 428 to none, changing nothing', async () => {
    const { body: me } = await as(alice).get('/v1/me');
    expectProblem(await as(alice).patch('/v1/me', { name: 'Stale' }, ifMatch(me.version - 1)), 409);
    expectProblem(await as(alice).patch('/v1/me', { name: 'Stale', version: me.version + 5 }), 409);
    expectProblem(await as(alice).patch('/v1/me', { name: 'Blind' }), 428);
    const after = await as(alice).get('/v1/me');
    expect(after.body).toEqual(me);
  });

  it('refuses an unknown timezone, an empty or too-long name, and fields I cannot set, with 400 and field errors', async () => {
    const { body: me } = await as(alice).get('/v1/me');
    const v = ifMatch(me.version);
    expectProblem(await as(alice).patch('/v1/me', { timezone: 'Mars/Olympus_Mons' }, v), 400, ['body.timezone']);
    expectProblem(await as(alice).patch('/v1/me', { timezone: 42 }, v), 400, ['body.timezone']);
    expectProblem(await as(alice).patch('/v1/me', { name: '' }, v), 400, ['body.name']);
    expectProblem(await as(alice).patch('/v1/me', { name: 'x'.repeat(5000) }, v), 400, ['body.name']);
    expectProblem(await as(alice).patch('/v1/me', { email: 'takeover@example.com' }, v), 400);
    expectProblem(await as(alice).patch('/v1/me', { status: 'active', name: 'Ok' }, v), 400);
    expectProblem(await as(alice).patch('/v1/me', { id: bob.userId, name: 'Ok' }, v), 400);
    expectProblem(await as(alice).patch('/v1/me', '{"name": ', v), 400);
    expect((await as(alice).get('/v1/me')).body).toEqual(me);
  });

  it('only ever changes the caller', async () => {
    const { body: bobBefore } = await as(bob).get('/v1/me');
    const { body: me } = await as(alice).get('/v1/me');
    expect(await as(alice).patch('/v1/me', { name: 'Only Alice' }, ifMatch(me.version))).toHaveStatus(200);
    expect((await as(bob).get('/v1/me')).body).toEqual(bobBefore);
  });
});
