// The auth routes over mocked Cognito and DynamoDB clients: what a client gets back, and what is
// (and is not) sent to Cognito and written to the table.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  ExpiredCodeException,
  InitiateAuthCommand,
  InvalidPasswordException,
  NotAuthorizedException,
  RevokeTokenCommand,
  SignUpCommand,
  TooManyRequestsException,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { apiEvent, invoke } from '#test/support/apigw-event';
import { handler as register } from '#functions/auth/register';
import { handler as confirm } from '#functions/auth/confirm-registration';
import { handler as login } from '#functions/auth/login';
import { handler as refresh } from '#functions/auth/refresh-session';
import { handler as logout } from '#functions/auth/logout';

const cognito = mockClient(CognitoIdentityProviderClient);
const ddb = mockClient(DynamoDBDocumentClient);

const meta = { $metadata: {} };
const type = (slug: string) => `https://taskwell.dev/problems/${slug}`;
const post = (handler: typeof register, path: string, body: unknown) => invoke(handler, apiEvent('POST', path, { body }));

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT-shaped token with these claims (the handlers only read claims of tokens Cognito just issued). */
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.c2lnbmF0dXJl`;

const exp = () => Math.floor(Date.now() / 1000) + 3600;
const signedInAt = Math.floor(Date.now() / 1000) - 600;
const accessToken = jwt({ sub: 'u-1', token_use: 'access', client_id: 'unittestclient', exp: exp(), origin_jti: 'sess-1', auth_time: signedInAt });
const idToken = jwt({ sub: 'u-1', token_use: 'id', email: 'Ada@Example.com', name: 'Ada', exp: exp() });
const refreshToken = 'eyJjdHkiOiJKV1QifQ.refresh-token-for-tests.abc';

const profileItem = (extra: Record<string, unknown> = {}) => ({
  pk: 'USER#u-1',
  sk: 'PROFILE',
  entity: 'User',
  id: 'u-1',
  email: 'ada@example.com',
  name: 'Ada',
  timezone: 'UTC',
  status: 'active',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  version: 1,
  ...extra,
});

beforeEach(() => {
  cognito.reset();
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
});

describe('POST /v1/auth/register', () => {
  const body = { email: 'Ada@Example.com', password: 'Correct-Horse-9', name: 'Ada' };

  it('signs the user up with the email as username and creates the profile and the email claim in one transaction', async () => {
    cognito.on(SignUpCommand).resolves({ UserSub: 'u-1', UserConfirmed: false, ...meta });

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ userId: 'u-1', email: 'ada@example.com', name: 'Ada', confirmed: false });
    const signUp = cognito.commandCalls(SignUpCommand)[0]!.args[0].input;
    expect(signUp).toMatchObject({ ClientId: 'unittestclient', Username: 'ada@example.com', Password: 'Correct-Horse-9' });
    expect(signUp.UserAttributes).toEqual([
      { Name: 'email', Value: 'ada@example.com' },
      { Name: 'name', Value: 'Ada' },
    ]);
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const [profile, email] = writes[0]!.args[0].input.TransactItems!;
    expect(profile!.Put).toMatchObject({
      Item: { pk: 'USER#u-1', sk: 'PROFILE', entity: 'User', email: 'ada@example.com', status: 'active', timezone: 'UTC', version: 1, modifiedBy: 'u-1', gsi1pk: 'USERS', gsi1sk: 'EMAIL#ada@example.com' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(typeof profile!.Put!.Item!.requestId).toBe('string');
    expect(email!.Put).toMatchObject({ Item: { pk: 'EMAIL#ada@example.com', sk: 'EMAIL', entity: 'UserEmail', userId: 'u-1' }, ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it('answers 409 for an email that already has a profile, without calling Cognito', async () => {
    ddb.on(GetCommand, { Key: { pk: 'EMAIL#ada@example.com', sk: 'EMAIL' } }).resolves({ Item: { entity: 'UserEmail', userId: 'u-1' } });
    ddb.on(GetCommand, { Key: { pk: 'USER#u-1', sk: 'PROFILE' } }).resolves({ Item: profileItem() });

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(409);
    expect(res.body.type).toBe(type('email-taken'));
    expect(cognito.commandCalls(SignUpCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 409 when Cognito already has the username, writing nothing', async () => {
    cognito.on(SignUpCommand).rejects(new UsernameExistsException({ message: 'User already exists', ...meta }));

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(409);
    expect(res.body.type).toBe(type('email-taken'));
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("answers 400 with a field error on body.password when Cognito rejects the password", async () => {
    cognito.on(SignUpCommand).rejects(new InvalidPasswordException({ message: 'Password did not conform with policy: Password must have symbol characters', ...meta }));

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'body.password', message: 'Password did not conform with policy: Password must have symbol characters' }]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it.each([
    ['a short password', { ...body, password: 'Short-1a' }, 'body.password'],
    ['a password without a symbol', { ...body, password: 'CorrectHorse99' }, 'body.password'],
    ['a bad email', { ...body, email: 'not-an-email' }, 'body.email'],
    ['an empty name', { ...body, name: '  ' }, 'body.name'],
    ['a too long name', { ...body, name: 'x'.repeat(101) }, 'body.name'],
    ['an unknown field', { ...body, role: 'admin' }, 'body'],
  ])('answers 400 for %s and calls nobody', async (_what, input, field) => {
    const res = await post(register, '/v1/auth/register', input);

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(cognito.calls()).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 429 when Cognito throttles', async () => {
    cognito.on(SignUpCommand).rejects(new TooManyRequestsException({ message: 'slow down', ...meta }));
    expect((await post(register, '/v1/auth/register', body)).status).toBe(429);
  });
});

describe('POST /v1/auth/confirm', () => {
  it('confirms the account with the code', async () => {
    cognito.on(ConfirmSignUpCommand).resolves(meta);

    const res = await post(confirm, '/v1/auth/confirm', { email: 'Ada@example.com', code: '123456' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ confirmed: true });
    expect(cognito.commandCalls(ConfirmSignUpCommand)[0]!.args[0].input).toEqual({ ClientId: 'unittestclient', Username: 'ada@example.com', ConfirmationCode: '123456' });
  });

  it.each([
    ['a wrong code', new CodeMismatchException({ message: 'Invalid code', ...meta })],
    ['an expired code', new ExpiredCodeException({ message: 'Expired', ...meta })],
    ['an unknown email', new UserNotFoundException({ message: 'User does not exist.', ...meta })],
    ['an already confirmed account', new NotAuthorizedException({ message: 'User cannot be confirmed. Current status is CONFIRMED', ...meta })],
  ])('answers 400 on body.code for %s', async (_what, error) => {
    cognito.on(ConfirmSignUpCommand).rejects(error);

    const res = await post(confirm, '/v1/auth/confirm', { email: 'ada@example.com', code: '654321' });

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.code']);
  });

  it('answers 400 for a code that is not numeric, without calling Cognito', async () => {
    const res = await post(confirm, '/v1/auth/confirm', { email: 'ada@example.com', code: 'abc' });
    expect(res.status).toBe(400);
    expect(cognito.calls()).toHaveLength(0);
  });
});

describe('POST /v1/auth/login', () => {
  const credentials = { email: 'ADA@example.com', password: 'Correct-Horse-9' };
  const authenticated = () =>
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, RefreshToken: refreshToken, ExpiresIn: 3600 }, ...meta });

  it('returns the tokens of a user whose profile exists, writing nothing', async () => {
    authenticated();
    ddb.on(GetCommand, { Key: { pk: 'USER#u-1', sk: 'PROFILE' } }).resolves({ Item: profileItem() });

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken, idToken, refreshToken, expiresIn: 3600, tokenType: 'Bearer' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(cognito.commandCalls(InitiateAuthCommand)[0]!.args[0].input).toEqual({
      ClientId: 'unittestclient',
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'ada@example.com', PASSWORD: 'Correct-Horse-9' },
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('creates the missing profile of an account made outside /v1/auth/register from the ID token', async () => {
    authenticated();

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(200);
    const [profile, email] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(profile!.Put!.Item).toMatchObject({ pk: 'USER#u-1', id: 'u-1', email: 'ada@example.com', name: 'Ada', status: 'active' });
    expect(email!.Put!.Item).toMatchObject({ pk: 'EMAIL#ada@example.com', userId: 'u-1' });
  });

  it('falls back to the token expiry when Cognito gives no ExpiresIn (cognito-local)', async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, RefreshToken: refreshToken }, ...meta });
    ddb.on(GetCommand, { Key: { pk: 'USER#u-1', sk: 'PROFILE' } }).resolves({ Item: profileItem() });

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.body.expiresIn).toBeGreaterThan(3590);
    expect(res.body.expiresIn).toBeLessThanOrEqual(3600);
  });

  it('refuses a user an admin disabled with 403 user-disabled and no tokens', async () => {
    authenticated();
    ddb.on(GetCommand, { Key: { pk: 'USER#u-1', sk: 'PROFILE' } }).resolves({ Item: profileItem({ status: 'disabled' }) });

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(403);
    expect(res.body.type).toBe(type('user-disabled'));
    expect(JSON.stringify(res.body)).not.toContain(accessToken);
  });

  it.each([
    ['a wrong password', new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta })],
    ['an unknown user', new UserNotFoundException({ message: 'User does not exist.', ...meta })],
    ["cognito-local's wrong password", new InvalidPasswordException({ message: 'Invalid password', ...meta })],
  ])('answers 401 with the same message for %s', async (_what, error) => {
    cognito.on(InitiateAuthCommand).rejects(error);

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ type: type('invalid-credentials'), detail: 'Incorrect email or password.' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 403 user-not-confirmed for an unconfirmed account', async () => {
    cognito.on(InitiateAuthCommand).rejects(new UserNotConfirmedException({ message: 'User is not confirmed.', ...meta }));

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(403);
    expect(res.body.type).toBe(type('user-not-confirmed'));
  });

  it('answers 403 when Cognito asks for a challenge this API does not offer', async () => {
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's', ...meta });

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(403);
    expect(res.body.type).toBe(type('sign-in-challenge'));
  });

  it('answers 500 without details when Cognito fails unexpectedly', async () => {
    cognito.on(InitiateAuthCommand).rejects(new Error('socket hang up'));

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('socket');
  });
});

describe('POST /v1/auth/refresh', () => {
  it('exchanges a refresh token for new access and ID tokens', async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: 3600 }, ...meta });

    const res = await post(refresh, '/v1/auth/refresh', { refreshToken });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken, idToken, expiresIn: 3600, tokenType: 'Bearer' });
    expect(cognito.commandCalls(InitiateAuthCommand)[0]!.args[0].input).toEqual({
      ClientId: 'unittestclient',
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
  });

  it('answers 401 for a refresh token of an ended session, and revokes it', async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: 3600 }, ...meta });
    cognito.on(RevokeTokenCommand).resolves(meta);
    ddb.on(BatchGetCommand).resolves({ Responses: { [process.env.TABLE_NAME!]: [{ pk: 'USER#u-1', sk: 'SESSION#sess-1', entity: 'UserSession', ended: true }] } });

    const res = await post(refresh, '/v1/auth/refresh', { refreshToken });

    expect(res.status).toBe(401);
    expect(res.body.type).toBe(type('invalid-refresh-token'));
    expect(res.body.accessToken).toBeUndefined();
    expect(cognito.commandCalls(RevokeTokenCommand)[0]!.args[0].input).toEqual({ ClientId: 'unittestclient', Token: refreshToken });
  });

  it('answers 401 for a refresh token of a session that signed in before "log out everywhere"', async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: 3600 }, ...meta });
    cognito.on(RevokeTokenCommand).resolves(meta);
    ddb.on(BatchGetCommand).resolves({ Responses: { [process.env.TABLE_NAME!]: [{ pk: 'USER#u-1', sk: 'SESSIONS', entity: 'UserSessions', endedThrough: signedInAt + 1, generation: 1 }] } });

    expect((await post(refresh, '/v1/auth/refresh', { refreshToken })).status).toBe(401);
  });

  it('answers 401 for a revoked or invalid refresh token', async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Refresh Token has been revoked', ...meta }));

    const res = await post(refresh, '/v1/auth/refresh', { refreshToken });

    expect(res.status).toBe(401);
    expect(res.body.type).toBe(type('invalid-refresh-token'));
  });

  it('answers 400 for a missing token', async () => {
    expect((await post(refresh, '/v1/auth/refresh', {})).status).toBe(400);
    expect(cognito.calls()).toHaveLength(0);
  });
});

describe('POST /v1/auth/logout', () => {
  it('ends the session of the refresh token, revokes the token and answers 204', async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: 3600 }, ...meta });
    cognito.on(RevokeTokenCommand).resolves(meta);

    const res = await post(logout, '/v1/auth/logout', { refreshToken });

    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const mark = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item;
    expect(mark).toMatchObject({ pk: 'USER#u-1', sk: 'SESSION#sess-1', entity: 'UserSession', ended: true, expiresAt: expect.any(Number) });
    expect(cognito.commandCalls(RevokeTokenCommand)[0]!.args[0].input).toEqual({ ClientId: 'unittestclient', Token: refreshToken });
  });

  it('answers 204 for a token that is already revoked (logging out twice is still logged out)', async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Refresh Token has been revoked', ...meta }));
    cognito.on(RevokeTokenCommand).rejects(new NotAuthorizedException({ message: 'Invalid token', ...meta }));

    expect((await post(logout, '/v1/auth/logout', { refreshToken })).status).toBe(204);
  });

  it('answers 500 when Cognito fails for another reason', async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: 3600 }, ...meta });
    cognito.on(RevokeTokenCommand).rejects(new Error('boom'));

    expect((await post(logout, '/v1/auth/logout', { refreshToken })).status).toBe(500);
  });
});
