// Attacks on admin rights: a token keeps the `cognito:groups` it was minted with for up to an hour, so an admin whose
// role was revoked still holds tokens that say `admins`. Admin rights follow the current profile on every request.
import { describe, expect, it } from 'vitest';
import { as, claims, demo, login, newUser, type TestUser } from '#test/support/api-client';
import { expectProblem } from '#test/support/e2e-helpers';

const admin = () => as(demo.admin);

/** A fresh user made an admin, holding a token minted while they were one. */
const formerAdmin = async (): Promise<{ user: TestUser; token: string }> => {
  const user = await newUser();
  expect(await admin().put(`/v1/admin/users/${user.userId}/admin`)).toHaveStatus(200);
  const { accessToken } = await login(user);
  expect(claims(accessToken)['cognito:groups']).toContain('admins');
  expect(await as(accessToken).get('/v1/admin/stats')).toHaveStatus(200);
  expect(await admin().delete(`/v1/admin/users/${user.userId}/admin`)).toHaveStatus(200);
  return { user, token: accessToken };
};

describe('a revoked admin', () => {
  it('is refused every admin route on their next request, although their token still says admins', async () => {
    const { token } = await formerAdmin();
    expect(claims(token)['cognito:groups']).toContain('admins');
    expectProblem(await as(token).get('/v1/admin/stats'), 403);
    expectProblem(await as(token).get('/v1/admin/users?emailPrefix=a'), 403);
    expectProblem(await as(token).get('/v1/admin/audit'), 403);
  });

  it('cannot grant themself the role again with the old token', async () => {
    const { user, token } = await formerAdmin();
    expectProblem(await as(token).put(`/v1/admin/users/${user.userId}/admin`), 403);
    expect((await admin().get(`/v1/admin/users/${user.userId}`)).body.user.isAdmin).toBe(false);
  });

  it('cannot disable another user with the old token', async () => {
    const { token } = await formerAdmin();
    const victim = await newUser();
    expectProblem(await as(token).post(`/v1/admin/users/${victim.userId}/disable`), 403);
    expect(await as(victim).get('/v1/me')).toHaveStatus(200);
  });

  it('cannot revoke the real admin with the old token', async () => {
    const { token } = await formerAdmin();
    const realAdmin = await newUser();
    expect(await admin().put(`/v1/admin/users/${realAdmin.userId}/admin`)).toHaveStatus(200);
    expectProblem(await as(token).delete(`/v1/admin/users/${realAdmin.userId}/admin`), 403);
    expect((await admin().get(`/v1/admin/users/${realAdmin.userId}`)).body.user.isAdmin).toBe(true);
  });

  it('stays refused after logging in again (the new token has no admins group either)', async () => {
    const { user } = await formerAdmin();
    const fresh = await login(user);
    expect(claims(fresh.accessToken)['cognito:groups'] ?? []).not.toContain('admins');
    expectProblem(await as(fresh.accessToken).get('/v1/admin/stats'), 403);
  });
});

describe('a newly granted admin', () => {
  it('gets admin rights on their next request, with the token they already hold', async () => {
    const user = await newUser();
    expectProblem(await as(user).get('/v1/admin/stats'), 403);
    expect(await admin().put(`/v1/admin/users/${user.userId}/admin`)).toHaveStatus(200);
    expect(await as(user).get('/v1/admin/stats')).toHaveStatus(200);
  });
});
