// Token negatives at the gateway: the Lambda authorizer lets through only a valid, unexpired
// access token of our app client, signed by the pool, for a user who is not disabled. Each refusal
// is checked against a control (the same forging path producing a token that IS accepted), so a
// refusal means the check works, not that the forged token was broken some other way.
import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminDisableUserCommand, AdminEnableUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { api, as, login, newUser, type TestUser } from '#test/support/api-client';
import { cognitoAdmin, localStack } from '#test/support/local-stack';
import { decodeJwt, expectGatewayDenied, expectProblem, idsOf, reSigned, setProfileStatus, tampered } from '#test/support/e2e-helpers';

let alice: TestUser;
let bob: TestUser;
let dora: TestUser; // gets disabled

const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  [alice, bob, dora] = await Promise.all([newUser(), newUser(), newUser()]);
});

/** The token is refused at the gateway, and a write with it creates nothing. */
const expectRefused = async (token: string, owner: TestUser = alice) => {
  expectGatewayDenied(await as(token).get('/v1/me'));
  const before = await idsOf(as(owner), '/v1/tasks');
  expectGatewayDenied(await as(token).post('/v1/tasks', { title: 'should not exist' }));
  expect(await idsOf(as(owner), '/v1/tasks')).toEqual(before);
};

describe('the gateway', () => {
  it('answers 401 Unauthorized without an Authorization header, on every protected route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/me'],
      ['PATCH', '/v1/me'],
      ['GET', '/v1/tasks'],
      ['POST', '/v1/tasks'],
      ['GET', '/v1/tasks/x'],
      ['POST', '/v1/tasks/x/restore'],
      ['GET', '/v1/projects'],
      ['DELETE', '/v1/projects/x/members/y'],
    ] as const) {
      const res = await api.request(method, path, method === 'GET' ? undefined : {});
      expect(res, `${method} ${path}`).toHaveStatus(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    }
  });

  it('lets public routes through without a token', async () => {
    expect(await api.get('/v1/health')).toHaveStatus(200);
  });

  it('refuses garbage, an empty bearer, another scheme, and alg "none"', async () => {
    for (const header of ['Bearer garbage', 'Bearer ', 'Bearer a.b.c', `Basic ${Buffer.from('a:b').toString('base64')}`]) {
      expectGatewayDenied(await api.get('/v1/me', { headers: { authorization: header } }));
    }
    const { header, payload } = decodeJwt(alice.accessToken);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    await expectRefused(`${b64({ ...header, alg: 'none' })}.${b64(payload)}.`);
  });

  it('accepts a token re-signed with the pool key and the real claims (the control for what follows)', async () => {
    const token = reSigned(alice.accessToken, { iat: now() - 10, exp: now() + 600 });
    const res = await as(token).get('/v1/me');
    expect(res).toHaveStatus(200);
    expect(res.body.id).toBe(alice.userId);
  });

  it('refuses an expired access token', async () => {
    await expectRefused(reSigned(alice.accessToken, { iat: now() - 7200, auth_time: now() - 7200, exp: now() - 3600 }));
    await expectRefused(reSigned(alice.accessToken, { iat: now() - 3700, auth_time: now() - 3700, exp: now() - 60 }));
  });

  it('refuses a tampered token (payload changed, signature kept), without acting as either user', async () => {
    const forged = tampered(alice.accessToken, { sub: bob.userId, username: bob.userId });
    const res = await as(forged).get('/v1/me');
    expectGatewayDenied(res);
    expect(JSON.stringify(res.body)).not.toContain(bob.email);
    await expectRefused(forged, bob);
    await expectRefused(tampered(alice.accessToken, { exp: now() + 30 * 24 * 3600 }));
    // A valid header and payload with someone else's signature.
    const [h, p] = alice.accessToken.split('.');
    await expectRefused(`${h}.${p}.${bob.accessToken.split('.')[2]}`);
  });

  it('refuses a token signed with another key under the pool key id', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { header, payload } = decodeJwt(alice.accessToken);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64(header)}.${b64({ ...payload, exp: now() + 600 })}`;
    await expectRefused(`${input}.${rsaSign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`);
  });

  it('refuses an ID token used as an access token', async () => {
    await expectRefused(alice.idToken);
  });

  it('refuses an access token of another app client or another issuer', async () => {
    await expectRefused(reSigned(alice.accessToken, { client_id: '1example23456789abcdefghij', exp: now() + 600 }));
    await expectRefused(reSigned(alice.accessToken, { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Someone0', exp: now() + 600 }));
    await expectRefused(reSigned(alice.accessToken, { token_use: 'id', exp: now() + 600 }));
  });

  it('refuses a user an admin disabled, on their very next call; re-enabling lets them back in', async () => {
    const { userPoolId } = localStack();
    const d = as(dora);
    expect(await d.get('/v1/me')).toHaveStatus(200);
    const task = await d.post('/v1/tasks', { title: 'Before the ban' });
    expect(task).toHaveStatus(201);

    await setProfileStatus(dora.userId, 'disabled');
    await cognitoAdmin().send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: dora.email }));
    try {
      // The token they hold is still unexpired and correctly signed, yet refused.
      expectGatewayDenied(await d.get('/v1/me'));
      expectGatewayDenied(await d.get(`/v1/tasks/${task.body.id}`));
      expectGatewayDenied(await d.patch(`/v1/tasks/${task.body.id}`, { title: 'During the ban' }, { headers: { 'if-match': '"1"' } }));
      expectGatewayDenied(await d.post('/v1/tasks', { title: 'During the ban' }));
      // They cannot get new tokens either.
      const relogin = await api.post('/v1/auth/login', { email: dora.email, password: dora.password });
      expect([401, 403]).toContain(relogin.status);
      expectProblem(relogin, relogin.status);
      expect(relogin.body.accessToken).toBeUndefined();
      // Cognito refuses to refresh a disabled user's session; cognito-local does not check (an
      // emulator gap), so what must hold in both places is that no refreshed token opens the API.
      const refreshed = await api.post('/v1/auth/refresh', { refreshToken: dora.refreshToken });
      if (refreshed.status === 200) expectGatewayDenied(await as(refreshed.body.accessToken).get('/v1/me'));
      else expectProblem(refreshed, refreshed.status);
    } finally {
      await cognitoAdmin().send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: dora.email }));
      await setProfileStatus(dora.userId, 'active');
    }

    const back = await d.get(`/v1/tasks/${task.body.id}`);
    expect(back).toHaveStatus(200);
    expect(back.body).toMatchObject({ title: 'Before the ban', version: 1 });
    const tokens = await login(dora);
    expect(await as(tokens.accessToken).get('/v1/me')).toHaveStatus(200);
    // Nothing was written while disabled.
    const titles = (await as(tokens.accessToken).get('/v1/tasks?limit=100')).body.items.map((t: { title: string }) => t.title);
    expect(titles).toEqual(['Before the ban']);
  });
});
