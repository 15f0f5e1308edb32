// Accounts through the API: register → confirm (the local fixed code) → login → refresh → logout,
// and the ways each step refuses.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, as, claims } from '#test/support/api-client';
import { localStack } from '#test/support/local-stack';
import { expectGatewayDenied, expectProblem } from '#test/support/e2e-helpers';

const fresh = () => {
  const unique = randomUUID().slice(0, 12);
  return { email: `e2e-auth-${unique}@example.com`, password: `Tw-auth-${unique}-9Z!`, name: `Auth ${unique}` };
};

describe('auth', () => {
  it('registers, confirms, logs in, refreshes, and logs out (revoking the refresh token)', async () => {
    const account = fresh();
    const registered = await api.post('/v1/auth/register', account);
    expect(registered).toHaveStatus(202);
    expect(JSON.stringify(registered.body ?? {})).not.toContain(account.password);

    const confirmed = await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode });
    expect([200, 204]).toContain(confirmed.status);

    const login = await api.post('/v1/auth/login', { email: account.email, password: account.password });
    expect(login).toHaveStatus(200);
    expect(login.body).toMatchObject({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
    expect(login.body.expiresIn).toBeGreaterThan(0);
    const access = claims(login.body.accessToken);
    expect(access.token_use).toBe('access');
    expect(claims(login.body.idToken).email).toBe(account.email);

    // The access token opens the API, as the registered person.
    // Email addresses are case-insensitive at login too.
    expect(await api.post('/v1/auth/login', { email: account.email.toUpperCase(), password: account.password })).toHaveStatus(200);

    const me = await as(login.body.accessToken).get('/v1/me');
    expect(me).toHaveStatus(200);
    expect(me.body).toMatchObject({ id: access.sub, email: account.email, name: account.name });

    const refreshed = await api.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(refreshed).toHaveStatus(200);
    expect(refreshed.body).toMatchObject({ accessToken: expect.any(String), idToken: expect.any(String), expiresIn: expect.any(Number) });
    expect(claims(refreshed.body.accessToken).sub).toBe(access.sub);
    expect(await as(refreshed.body.accessToken).get('/v1/me')).toHaveStatus(200);

    const logout = await api.post('/v1/auth/logout', { refreshToken: login.body.refreshToken });
    expect([200, 204]).toContain(logout.status);

    const afterLogout = await api.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken });
    expectProblem(afterLogout, 401);
    expect(afterLogout.body.accessToken).toBeUndefined();
  });

  it('refuses a wrong password with 401 and no tokens, without saying whether the account exists', async () => {
    const account = fresh();
    expect(await api.post('/v1/auth/register', account)).toHaveStatus(202);
    expect((await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode })).status).toBeLessThan(300);

    const wrong = await api.post('/v1/auth/login', { email: account.email, password: `${account.password}x` });
    expectProblem(wrong, 401);
    expect(wrong.body.accessToken).toBeUndefined();

    const nobody = await api.post('/v1/auth/login', { email: `nobody-${randomUUID()}@example.com`, password: account.password });
    expectProblem(nobody, 401);
    expect(nobody.body.title).toBe(wrong.body.title);
  });

  it('refuses to log in an account that is not confirmed yet, then lets it in once confirmed', async () => {
    const account = fresh();
    expect(await api.post('/v1/auth/register', account)).toHaveStatus(202);

    const early = await api.post('/v1/auth/login', { email: account.email, password: account.password });
    expect([401, 403]).toContain(early.status);
    expectProblem(early, early.status);
    expect(early.body.accessToken).toBeUndefined();

    const wrongCode = await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode === '000000' ? '111111' : '000000' });
    expect(wrongCode.status).toBeGreaterThanOrEqual(400);
    expect(wrongCode.status).toBeLessThan(500);
    expectProblem(wrongCode, wrongCode.status);
    expect((await api.post('/v1/auth/login', { email: account.email, password: account.password })).status).not.toBe(200);

    expect((await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode })).status).toBeLessThan(300);
    expect(await api.post('/v1/auth/login', { email: account.email, password: account.password })).toHaveStatus(200);
  });

  it('a second registration of a pending address replaces it (new password), in any letter case', async () => {
    const account = fresh();
    expect(await api.post('/v1/auth/register', account)).toHaveStatus(202);
    const second = { ...account, email: account.email.toUpperCase(), password: `${account.password}2` };
    expect(await api.post('/v1/auth/register', second)).toHaveStatus(202);
    expect((await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode })).status).toBeLessThan(300);
    expectProblem(await api.post('/v1/auth/login', { email: account.email, password: account.password }), 401);
    expect(await api.post('/v1/auth/login', { email: account.email, password: second.password })).toHaveStatus(200);
  });

  it('resets a forgotten password with the emailed code: the old password stops working, the new one works', async () => {
    const account = fresh();
    expect(await api.post('/v1/auth/register', account)).toHaveStatus(202);
    expect((await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode })).status).toBeLessThan(300);
    expect(await api.post('/v1/auth/forgot-password', { email: account.email })).toHaveStatus(202);
    const password = `${account.password}-reset`;

    expectProblem(await api.post('/v1/auth/reset-password', { email: account.email, code: localStack().confirmationCode, password: 'weak' }), 400, ['body.password']);
    expect(await api.post('/v1/auth/reset-password', { email: account.email, code: localStack().confirmationCode, password })).toHaveStatus(204);

    expectProblem(await api.post('/v1/auth/login', { email: account.email, password: account.password }), 401);
    expect(await api.post('/v1/auth/login', { email: account.email, password })).toHaveStatus(200);
    // The code is single-use.
    expectProblem(await api.post('/v1/auth/reset-password', { email: account.email, code: localStack().confirmationCode, password: `${password}2` }), 400, ['body.code']);
  });

  it('changes the password with the current one; the caller stays signed in', async () => {
    const account = fresh();
    expect(await api.post('/v1/auth/register', account)).toHaveStatus(202);
    expect((await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode })).status).toBeLessThan(300);
    const login = await api.post('/v1/auth/login', { email: account.email, password: account.password });
    const next = `${account.password}-next`;

    const wrong = await as(login.body.accessToken).post('/v1/me/password', { current: `${account.password}x`, new: next });
    expectProblem(wrong, 400, ['body.current']);
    expectProblem(await as(login.body.accessToken).post('/v1/me/password', { current: account.password, new: 'weak' }), 400, ['body.new']);

    const changed = await as(login.body.accessToken).post('/v1/me/password', { current: account.password, new: next });
    expect(changed).toHaveStatus(204);
    expect(await as(login.body.accessToken).get('/v1/me')).toHaveStatus(200);
    expectProblem(await api.post('/v1/auth/login', { email: account.email, password: account.password }), 401);
    expect(await api.post('/v1/auth/login', { email: account.email, password: next })).toHaveStatus(200);
  });

  it('refuses a weak password with 400 naming body.password, and creates no account', async () => {
    const account = fresh();
    for (const password of ['short1A!', 'alllowercase-but-long-1', 'NoDigitsOrSymbolsHere']) {
      expectProblem(await api.post('/v1/auth/register', { ...account, password }), 400, ['body.password']);
    }
    // Nothing was created: the same email registers normally afterwards.
    expect(await api.post('/v1/auth/register', account)).toHaveStatus(202);
  });

  it('refuses malformed registrations with field errors', async () => {
    const account = fresh();
    expectProblem(await api.post('/v1/auth/register', { ...account, email: 'not-an-email' }), 400, ['body.email']);
    expectProblem(await api.post('/v1/auth/register', { email: account.email, password: account.password }), 400, ['body.name']);
    expectProblem(await api.post('/v1/auth/register', { ...account, role: 'admin' }), 400);
    expectProblem(await api.post('/v1/auth/login', { email: account.email }), 400, ['body.password']);
    expectProblem(await api.post('/v1/auth/refresh', {}), 400, ['body.refreshToken']);
  });

  it('refuses a refresh token that is not one', async () => {
    expectProblem(await api.post('/v1/auth/refresh', { refreshToken: 'short' }), 400, ['body.refreshToken']);
    const res = await api.post('/v1/auth/refresh', { refreshToken: `not-a-refresh-token-${'x'.repeat(200)}` });
    expectProblem(res, 401);
    expect(res.body.accessToken).toBeUndefined();
  });

  it('does not accept a refresh token as an access token', async () => {
    const account = fresh();
    expect(await api.post('/v1/auth/register', account)).toHaveStatus(202);
    expect((await api.post('/v1/auth/confirm', { email: account.email, code: localStack().confirmationCode })).status).toBeLessThan(300);
    const login = await api.post('/v1/auth/login', { email: account.email, password: account.password });
    expect(login).toHaveStatus(200);
    expectGatewayDenied(await as(login.body.refreshToken).get('/v1/me'));
  });
});
