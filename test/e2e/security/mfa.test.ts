// Multi-factor authentication with an authenticator app, attacked through the HTTP API: codes come from an
// independent RFC 6238 implementation (otpauth), reading the secret from the otpauth:// URI the API hands out.
import { beforeAll, describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { api, as, newUser, type TestUser } from '#test/support/api-client';
import { expectProblem } from '#test/support/e2e-helpers';

/** The authenticator app: parses the enrolment's URI the way an app scanning its QR code would. */
const authenticatorFor = (uri: string) => {
  const otp = OTPAuth.URI.parse(uri);
  if (!(otp instanceof OTPAuth.TOTP)) throw new Error(`not a TOTP URI: ${uri}`);
  return otp;
};

/** A code that is wrong now: the app's code five minutes ahead (outside any tolerance window). */
const wrongCode = (totp: OTPAuth.TOTP) => totp.generate({ timestamp: Date.now() + 300_000 });

const enrol = async (user: TestUser) => {
  const started = await as(user).post('/v1/me/mfa/totp');
  expect(started).toHaveStatus(200);
  const totp = authenticatorFor(started.body.uri);
  expect(totp.secret.base32).toBe(started.body.secret);
  expect(started.body).toMatchObject({ algorithm: 'SHA1', digits: 6, period: 30 });
  expect(totp.issuer).toBe('Taskwell');
  expect(totp.label).toBe(user.email);
  return totp;
};

const loginStep = (user: TestUser) => api.post('/v1/auth/login', { email: user.email, password: user.password });

describe('MFA with an authenticator app', () => {
  let alice: TestUser;
  let totp: OTPAuth.TOTP;

  beforeAll(async () => {
    alice = await newUser();
  });

  it('enrolling alone does not switch MFA on: a login still gets tokens until a code is verified', async () => {
    totp = await enrol(alice);
    expect((await as(alice).get('/v1/me/mfa')).body).toEqual({ totp: { enabled: false } });
    const res = await loginStep(alice);
    expect(res).toHaveStatus(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
  });

  it('a wrong code does not enable MFA', async () => {
    expectProblem(await as(alice).post('/v1/me/mfa/totp/verify', { code: wrongCode(totp) }), 400, ['body.code']);
    expectProblem(await as(alice).post('/v1/me/mfa/totp/verify', { code: 'abc' }), 400, ['body.code']);
    expect((await as(alice).get('/v1/me/mfa')).body).toEqual({ totp: { enabled: false } });
  });

  it('a current code enables MFA, and the profile says so', async () => {
    const res = await as(alice).post('/v1/me/mfa/totp/verify', { code: totp.generate() });
    expect(res).toHaveStatus(200);
    expect(res.body).toEqual({ totp: { enabled: true } });
    expect((await as(alice).get('/v1/me/mfa')).body).toEqual({ totp: { enabled: true } });
    expect((await as(alice).get('/v1/me')).body.mfaEnabled).toBe(true);
  });

  it('enrolling again while MFA is on is refused (it would replace the authenticator unseen)', async () => {
    expectProblem(await as(alice).post('/v1/me/mfa/totp'), 409);
  });

  it('the password alone no longer gets a token: login answers a TOTP challenge', async () => {
    const res = await loginStep(alice);
    expect(res).toHaveStatus(200);
    expect(res.body).toEqual({ challenge: 'totp', session: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/accessToken|refreshToken|idToken/);
  });

  it('a wrong code is refused with 401 and no token', async () => {
    const { body } = await loginStep(alice);
    const res = await api.post('/v1/auth/login/mfa', { email: alice.email, session: body.session, code: wrongCode(totp) });
    expectProblem(res, 401);
    expect(res.body.type).toMatch(/invalid-mfa-code$/);
    expect(JSON.stringify(res.body)).not.toMatch(/accessToken/);
  });

  it('a code without the password is refused: a made-up session, or one from another user\'s login, gets no token', async () => {
    const made = await api.post('/v1/auth/login/mfa', { email: alice.email, session: 'x'.repeat(64), code: totp.generate() });
    expectProblem(made, 401);
    expect(made.body.type).toMatch(/mfa-session-expired$/);

    const bob = await newUser();
    const bobsTotp = await enrol(bob);
    expect(await as(bob).post('/v1/me/mfa/totp/verify', { code: bobsTotp.generate() })).toHaveStatus(200);
    const bobs = await loginStep(bob);
    expect(bobs.body.challenge).toBe('totp');
    expectProblem(await api.post('/v1/auth/login/mfa', { email: alice.email, session: bobs.body.session, code: totp.generate() }), 401);
  });

  it('the current code completes the login with working tokens, and the session cannot be used twice', async () => {
    const { body } = await loginStep(alice);
    const res = await api.post('/v1/auth/login/mfa', { email: alice.email, session: body.session, code: totp.generate() });
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer' });
    expect(await as(res.body.accessToken).get('/v1/me')).toHaveStatus(200);
    expect(await api.post('/v1/auth/refresh', { refreshToken: res.body.refreshToken })).toHaveStatus(200);

    expectProblem(await api.post('/v1/auth/login/mfa', { email: alice.email, session: body.session, code: totp.generate() }), 401);
  });

  it('disabling needs the password and a current code; a wrong one changes nothing', async () => {
    expectProblem(await as(alice).delete('/v1/me/mfa/totp', { password: 'not-the-password', code: totp.generate() }), 403);
    expectProblem(await as(alice).delete('/v1/me/mfa/totp', { password: alice.password, code: wrongCode(totp) }), 403);
    expectProblem(await as(alice).delete('/v1/me/mfa/totp', { password: alice.password }), 400, ['body.code']);
    expect((await as(alice).get('/v1/me/mfa')).body).toEqual({ totp: { enabled: true } });
    expect((await loginStep(alice)).body.challenge).toBe('totp');
  });

  it('once disabled, login gives tokens for the password alone again', async () => {
    const res = await as(alice).delete('/v1/me/mfa/totp', { password: alice.password, code: totp.generate() });
    expect(res).toHaveStatus(200);
    expect(res.body).toEqual({ totp: { enabled: false } });
    expect((await as(alice).get('/v1/me')).body.mfaEnabled).toBe(false);
    const login = await loginStep(alice);
    expect(login).toHaveStatus(200);
    expect(login.body.accessToken).toEqual(expect.any(String));
  });
});
