// The Lambda authorizer with the real aws-jwt-verify verifier, primed with a JWKS of a key pair made
// here (the verifier cannot reach Cognito from a test), and a mocked table for the profile, sessions and quota counter.
import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { handler } from '#functions/auth/authorizer';
import { primeJwks } from '#shared/auth/token-verifier';
import { lambdaContext } from '#test/support/apigw-event';

const POOL = process.env.USER_POOL_ID!;
const CLIENT = process.env.USER_POOL_CLIENT_ID!;
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const KID = 'test-key-1';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signJwt = (payload: Record<string, unknown>, key = privateKey, kid = KID): string => {
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(payload)}`;
  return `${input}.${rsaSign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
};

const now = () => Math.floor(Date.now() / 1000);
const accessClaims = (extra: Record<string, unknown> = {}) => ({
  sub: 'u-1',
  iss: ISSUER,
  client_id: CLIENT,
  token_use: 'access',
  scope: 'aws.cognito.signin.user.admin',
  username: 'u-1',
  jti: randomUUID(),
  iat: now() - 10,
  auth_time: now() - 10,
  exp: now() + 3600,
  ...extra,
});

const ddb = mockClient(DynamoDBDocumentClient);
const profile = (status: 'active' | 'disabled' = 'active', extra: Record<string, unknown> = {}) => ({
  pk: 'USER#u-1', sk: 'PROFILE', entity: 'User', id: 'u-1', email: 'ada@example.com', name: 'Ada', timezone: 'UTC', status, createdAt: 'x', updatedAt: 'x', version: 1, ...extra,
});
/** The items the authorizer's BatchGetItem finds (by sk, all in USER#u-1). */
let items: Record<string, Record<string, unknown>> = {};
let counted = 1;
const serveTable = () => {
  ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => {
    const [table, request] = Object.entries(input.RequestItems)[0]!;
    return { Responses: { [table]: request.Keys.map((k) => items[k.sk]).filter(Boolean) } };
  });
  ddb.on(UpdateCommand).callsFake(() => ({ Attributes: { count: counted, windowStart: now() - 5 } }));
};

const event = (authorization?: string): APIGatewayRequestAuthorizerEventV2 =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/v1/me',
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey: 'GET /v1/me',
    rawPath: '/v1/me',
    rawQueryString: '',
    headers: authorization === undefined ? {} : { authorization },
    requestContext: { requestId: randomUUID(), routeKey: 'GET /v1/me', http: { method: 'GET', path: '/v1/me' } },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

const authorize = (authorization?: string) => handler(event(authorization), lambdaContext()) as Promise<{ isAuthorized: boolean; context?: Record<string, string> }>;
const bearer = (token: string) => `Bearer ${token}`;

beforeAll(() => {
  primeJwks({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] });
});

beforeEach(() => {
  ddb.reset();
  items = { PROFILE: profile() };
  counted = 1;
  serveTable();
});

describe('the Lambda authorizer', () => {
  it('allows a valid access token and passes the caller on (id from the token, email from the profile, groups)', async () => {
    const result = await authorize(bearer(signJwt(accessClaims({ 'cognito:groups': ['admins', 'beta'], origin_jti: 'sess-1' }))));

    expect(result).toEqual({
      isAuthorized: true,
      context: {
        userId: 'u-1',
        email: 'ada@example.com',
        groups: 'admins,beta',
        admin: 'false',
        sessionId: 'sess-1',
        quotaLimit: '100',
        quotaWindow: '60',
        quotaRemaining: '99',
        quotaReset: expect.stringMatching(/^5[4-5]$/),
        quotaExceeded: 'false',
      },
    });
  });

  it('passes an empty group list for a user in no group', async () => {
    const result = await authorize(bearer(signJwt(accessClaims())));
    expect(result.context?.groups).toBe('');
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['another scheme', `Basic ${Buffer.from('ada:pw').toString('base64')}`],
    ['a bearer that is not a JWT', 'Bearer not-a-token'],
    ['a bare token without "Bearer"', signJwt(accessClaims())],
  ])('denies %s without reading the table', async (_what, header) => {
    expect(await authorize(header)).toEqual({ isAuthorized: false });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('denies an expired token', async () => {
    expect(await authorize(bearer(signJwt(accessClaims({ iat: now() - 7200, exp: now() - 60 }))))).toEqual({ isAuthorized: false });
  });

  it('denies a tampered token (claims changed after signing)', async () => {
    const [header, , signature] = signJwt(accessClaims()).split('.');
    const forged = `${header}.${b64(accessClaims({ sub: 'u-2', 'cognito:groups': ['admins'] }))}.${signature}`;

    expect(await authorize(bearer(forged))).toEqual({ isAuthorized: false });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('denies a token signed by another key under our key id', async () => {
    expect(await authorize(bearer(signJwt(accessClaims(), strangerKey)))).toEqual({ isAuthorized: false });
  });

  it("denies a token of another app client", async () => {
    expect(await authorize(bearer(signJwt(accessClaims({ client_id: 'someoneelse' }))))).toEqual({ isAuthorized: false });
  });

  it('denies a token of another issuer', async () => {
    expect(await authorize(bearer(signJwt(accessClaims({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool' }))))).toEqual({ isAuthorized: false });
  });

  it('denies an ID token used as an access token', async () => {
    const { client_id: _omit, ...claims } = accessClaims({ token_use: 'id', aud: CLIENT, email: 'ada@example.com' });
    expect(await authorize(bearer(signJwt(claims)))).toEqual({ isAuthorized: false });
  });

  it('denies a valid token of a user without a profile', async () => {
    items = {};
    expect(await authorize(bearer(signJwt(accessClaims())))).toEqual({ isAuthorized: false });
  });

  it('denies a valid token of a disabled user', async () => {
    items.PROFILE = profile('disabled');
    expect(await authorize(bearer(signJwt(accessClaims())))).toEqual({ isAuthorized: false });
  });

  it('re-checks the profile on every request, so a cached token of a user disabled meanwhile is refused', async () => {
    const token = bearer(signJwt(accessClaims()));
    expect((await authorize(token)).isAuthorized).toBe(true);
    expect((await authorize(token)).isAuthorized).toBe(true);

    items.PROFILE = profile('disabled');
    expect(await authorize(token)).toEqual({ isAuthorized: false });

    items.PROFILE = profile('active');
    expect((await authorize(token)).isAuthorized).toBe(true);
    // ONE read per request (a BatchGetItem of the profile and the session state), in parallel with the counter.
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(4);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems?.[process.env.TABLE_NAME!]?.Keys).toEqual([
      { pk: 'USER#u-1', sk: 'PROFILE' },
      { pk: 'USER#u-1', sk: 'SESSIONS' },
      { pk: 'USER#u-1', sk: expect.stringMatching(/^SESSION#/) },
    ]);
  });

  it('verifies a token once and reuses the result until it expires', async () => {
    const verify = vi.spyOn(CognitoJwtVerifier.prototype, 'verify');
    try {
      const token = bearer(signJwt(accessClaims()));
      await authorize(token);
      await authorize(token);
      await authorize(bearer(signJwt(accessClaims())));
      expect(verify).toHaveBeenCalledTimes(2);
    } finally {
      verify.mockRestore();
    }
  });

  it('fails (the gateway answers 500) rather than deny when the profile cannot be read', async () => {
    ddb.on(BatchGetCommand).rejects(new Error('throttled'));
    await expect(authorize(bearer(signJwt(accessClaims())))).rejects.toThrow('throttled');
  });

  describe('admin rights follow the profile, not the token', () => {
    it('are refused to a token that says admins when the profile does not', async () => {
      items.PROFILE = profile('active', { isAdmin: false });
      const result = await authorize(bearer(signJwt(accessClaims({ 'cognito:groups': ['admins'] }))));
      expect(result.context).toMatchObject({ admin: 'false', groups: 'admins' });
    });

    it('are given to a token without the group when the profile says admin', async () => {
      items.PROFILE = profile('active', { isAdmin: true });
      expect((await authorize(bearer(signJwt(accessClaims())))).context?.admin).toBe('true');
    });

    it('wait for MFA where the deployment requires it: an admin without an authenticator is no admin yet', async () => {
      process.env.ADMIN_MFA_REQUIRED = 'true';
      try {
        items.PROFILE = profile('active', { isAdmin: true, mfaEnabled: false });
        const withoutMfa = await authorize(bearer(signJwt(accessClaims())));
        expect(withoutMfa).toMatchObject({ isAuthorized: true, context: { admin: 'false', adminMfaMissing: 'true' } });
        items.PROFILE = profile('active', { isAdmin: true, mfaEnabled: true });
        const withMfa = await authorize(bearer(signJwt(accessClaims())));
        expect(withMfa.context).toMatchObject({ admin: 'true' });
        expect(withMfa.context?.adminMfaMissing).toBeUndefined();
      } finally {
        delete process.env.ADMIN_MFA_REQUIRED;
      }
    });
  });

  describe('ended sessions', () => {
    const signedInAt = now() - 100;
    const token = () => bearer(signJwt(accessClaims({ origin_jti: 'sess-1', auth_time: signedInAt })));

    it('denies a token whose session logged out', async () => {
      items['SESSION#sess-1'] = { pk: 'USER#u-1', sk: 'SESSION#sess-1', entity: 'UserSession', ended: true };
      expect(await authorize(token())).toEqual({ isAuthorized: false });
    });

    it('denies a token whose session signed in at or before the last "end every session"', async () => {
      items.SESSIONS = { pk: 'USER#u-1', sk: 'SESSIONS', entity: 'UserSessions', endedThrough: signedInAt, generation: 1 };
      expect(await authorize(token())).toEqual({ isAuthorized: false });
    });

    it('allows a session that signed in after it, or in its second but kept for that end', async () => {
      items.SESSIONS = { pk: 'USER#u-1', sk: 'SESSIONS', entity: 'UserSessions', endedThrough: signedInAt - 1, generation: 1 };
      expect((await authorize(token())).isAuthorized).toBe(true);
      items.SESSIONS = { pk: 'USER#u-1', sk: 'SESSIONS', entity: 'UserSessions', endedThrough: signedInAt, generation: 2 };
      items['SESSION#sess-1'] = { pk: 'USER#u-1', sk: 'SESSION#sess-1', entity: 'UserSession', keptGeneration: 2 };
      expect((await authorize(token())).isAuthorized).toBe(true);
    });

    it('denies a kept session once every session is ended again', async () => {
      items.SESSIONS = { pk: 'USER#u-1', sk: 'SESSIONS', entity: 'UserSessions', endedThrough: signedInAt, generation: 3 };
      items['SESSION#sess-1'] = { pk: 'USER#u-1', sk: 'SESSION#sess-1', entity: 'UserSession', keptGeneration: 2 };
      expect(await authorize(token())).toEqual({ isAuthorized: false });
    });
  });

  describe('the request quota', () => {
    it('lets the request through with the quota exceeded in the context (http() answers 429)', async () => {
      counted = 101;
      const result = await authorize(bearer(signJwt(accessClaims())));
      expect(result).toMatchObject({ isAuthorized: true, context: { quotaExceeded: 'true', quotaRemaining: '0', quotaLimit: '100' } });
    });

    it('counts with the configured limit', async () => {
      process.env.REQUEST_QUOTA_PER_MINUTE = '5';
      try {
        counted = 6;
        expect((await authorize(bearer(signJwt(accessClaims())))).context).toMatchObject({ quotaLimit: '5', quotaExceeded: 'true' });
      } finally {
        delete process.env.REQUEST_QUOTA_PER_MINUTE;
      }
    });

    it('lets the request through, without quota fields, when the counter cannot be written', async () => {
      ddb.on(UpdateCommand).rejects(new Error('throttled'));
      const result = await authorize(bearer(signJwt(accessClaims())));
      expect(result.isAuthorized).toBe(true);
      expect(result.context).not.toHaveProperty('quotaLimit');
    });
  });
});
