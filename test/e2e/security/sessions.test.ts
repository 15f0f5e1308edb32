// Attacks on sessions: an access token is a signed JWT that stays valid for an hour whatever happens to its session,
// so a stolen or left-behind token must be refused once its session has ended — by logout, by "log out everywhere"
// — on its next request, and a refresh token of an ended session must not mint new ones.
import { describe, expect, it } from 'vitest';
import { api, as, claims, demo, login, newUser } from '#test/support/api-client';
import { expectGatewayDenied, expectProblem } from '#test/support/e2e-helpers';
import { localStack } from '#test/support/local-stack';

const refresh = (refreshToken: string) => api.post('/v1/auth/refresh', { refreshToken });

describe('logout', () => {
  it('a logged-out access token is refused on its next request', async () => {
    const user = await newUser();
    const session = await login(user);
    expect(await as(session.accessToken).get('/v1/me')).toHaveStatus(200);
    expect(await api.post('/v1/auth/logout', { refreshToken: session.refreshToken })).toHaveStatus(204);
    expectGatewayDenied(await as(session.accessToken).get('/v1/me'));
  });

  it('the access tokens minted by earlier refreshes of a logged-out session are refused too', async () => {
    const user = await newUser();
    const session = await login(user);
    const refreshed = await refresh(session.refreshToken);
    expect(refreshed).toHaveStatus(200);
    expect(claims(refreshed.body.accessToken).origin_jti).toBe(claims(session.accessToken).origin_jti);
    expect(await as(refreshed.body.accessToken).get('/v1/me')).toHaveStatus(200);
    expect(await api.post('/v1/auth/logout', { refreshToken: session.refreshToken })).toHaveStatus(204);
    expectGatewayDenied(await as(refreshed.body.accessToken).get('/v1/me'));
    expectGatewayDenied(await as(session.accessToken).get('/v1/me'));
    expectProblem(await refresh(session.refreshToken), 401);
  });

  it('ends only its own session: the same user signed in elsewhere keeps working', async () => {
    const user = await newUser();
    const phone = await login(user);
    const laptop = await login(user);
    expect(await api.post('/v1/auth/logout', { refreshToken: phone.refreshToken })).toHaveStatus(204);
    expectGatewayDenied(await as(phone.accessToken).get('/v1/me'));
    expect(await as(laptop.accessToken).get('/v1/me')).toHaveStatus(200);
    expect(await refresh(laptop.refreshToken)).toHaveStatus(200);
  });

  it('logging out twice is still logged out (204)', async () => {
    const user = await newUser();
    const session = await login(user);
    expect(await api.post('/v1/auth/logout', { refreshToken: session.refreshToken })).toHaveStatus(204);
    expect(await api.post('/v1/auth/logout', { refreshToken: session.refreshToken })).toHaveStatus(204);
  });
});

describe('log out everywhere', () => {
  it('refuses every access token of every session of the user on its next request, the caller’s own included', async () => {
    const user = await newUser();
    const phone = await login(user);
    const laptop = await login(user);
    const laptopRefreshed = await refresh(laptop.refreshToken);
    expect(laptopRefreshed).toHaveStatus(200);
    expect(await as(laptop.accessToken).post('/v1/auth/logout-all')).toHaveStatus(204);
    for (const token of [phone.accessToken, laptop.accessToken, laptopRefreshed.body.accessToken, user.accessToken]) {
      expectGatewayDenied(await as(token).get('/v1/me'));
    }
  });

  it('a refresh token of a session that ended everywhere cannot mint new tokens', async () => {
    const user = await newUser();
    const phone = await login(user);
    expect(await as(user).post('/v1/auth/logout-all')).toHaveStatus(204);
    const refused = await refresh(phone.refreshToken);
    expectProblem(refused, 401);
    expect(refused.body.accessToken).toBeUndefined();
  });

  it('lets the user sign in again straight away (even within the same second) and use the new session', async () => {
    const user = await newUser();
    expect(await as(user).post('/v1/auth/logout-all')).toHaveStatus(204);
    const again = await login(user);
    expect(await as(again.accessToken).get('/v1/me')).toHaveStatus(200);
    const refreshed = await refresh(again.refreshToken);
    expect(refreshed).toHaveStatus(200);
    expect(await as(refreshed.body.accessToken).get('/v1/me')).toHaveStatus(200);
  });

  it('does not touch other users’ sessions', async () => {
    const alice = await newUser();
    const bob = await newUser();
    expect(await as(alice).post('/v1/auth/logout-all')).toHaveStatus(204);
    expect(await as(bob).get('/v1/me')).toHaveStatus(200);
  });

  it('needs a valid access token (401 without one)', async () => {
    expectGatewayDenied(await api.post('/v1/auth/logout-all'));
  });
});

describe('disabling an account', () => {
  it('ends its sessions: enabling it again does not bring the old tokens back', async () => {
    const user = await newUser();
    const admin = as(demo.admin);
    expect(await admin.post(`/v1/admin/users/${user.userId}/disable`)).toHaveStatus(200);
    expectGatewayDenied(await as(user).get('/v1/me'));
    expect(await admin.post(`/v1/admin/users/${user.userId}/enable`)).toHaveStatus(200);
    expectGatewayDenied(await as(user).get('/v1/me'));
    expectProblem(await refresh(user.refreshToken), 401);
    const again = await login(user);
    expect(await as(again.accessToken).get('/v1/me')).toHaveStatus(200);
  });
});

describe('session bookkeeping', () => {
  it('changes neither the profile version (If-Match) nor the profile itself', async () => {
    const user = await newUser();
    const before = await as(user).get('/v1/me');
    const other = await login(user);
    expect(await api.post('/v1/auth/logout', { refreshToken: other.refreshToken })).toHaveStatus(204);
    const third = await login(user);
    expect(await as(third.accessToken).post('/v1/auth/logout-all')).toHaveStatus(204);
    const fresh = await login(user);
    const after = await as(fresh.accessToken).get('/v1/me');
    expect(after).toHaveStatus(200);
    expect(after.body).toEqual(before.body);
    expect(after.headers.etag).toBe(before.headers.etag);
  });
});

describe('password change and reset', () => {
  it('a password change ends every other session of the user, and the caller’s own goes on', async () => {
    const user = await newUser();
    const phone = await login(user);
    const laptop = await login(user);
    expect(await as(laptop.accessToken).post('/v1/me/password', { current: user.password, new: `${user.password}-next` })).toHaveStatus(204);
    expectGatewayDenied(await as(phone.accessToken).get('/v1/me'));
    expectGatewayDenied(await as(user.accessToken).get('/v1/me'));
    expectProblem(await refresh(phone.refreshToken), 401);
    expect(await as(laptop.accessToken).get('/v1/me')).toHaveStatus(200);
    expect(await refresh(laptop.refreshToken)).toHaveStatus(200);
  });

  it('a password reset ends every session of the user', async () => {
    const user = await newUser();
    const phone = await login(user);
    expect(await api.post('/v1/auth/forgot-password', { email: user.email })).toHaveStatus(202);
    const code = localStack().confirmationCode;
    expect(await api.post('/v1/auth/reset-password', { email: user.email, code, password: `${user.password}-reset` })).toHaveStatus(204);
    for (const token of [phone.accessToken, user.accessToken]) expectGatewayDenied(await as(token).get('/v1/me'));
    expectProblem(await refresh(phone.refreshToken), 401);
  });
});
