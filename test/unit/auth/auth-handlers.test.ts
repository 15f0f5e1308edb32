// The auth routes over mocked Cognito and DynamoDB clients: what a client gets back, and what is
// (and is not) sent to Cognito and written to the table.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  CodeMismatchException,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  LimitExceededException,
  ResendConfirmationCodeCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  ExpiredCodeException,
  InitiateAuthCommand,
  InvalidPasswordException,
  NotAuthorizedException,
  RevokeTokenCommand,
  SignUpCommand,
  TooManyFailedAttemptsException,
  TooManyRequestsException,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
  type UserStatusType,
} from '@aws-sdk/client-cognito-identity-provider';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ACCEPTED, InvalidCode } from '#shared/domain/users';
import { emailHash } from '#shared/store/login-attempts-store';
import { apiEvent, invoke } from '#test/support/apigw-event';
import { handler as register } from '#functions/auth/register';
import { handler as confirm } from '#functions/auth/confirm-registration';
import { handler as login } from '#functions/auth/login';
import { handler as refresh } from '#functions/auth/refresh-session';
import { handler as logout } from '#functions/auth/logout';
import { handler as resendCode } from '#functions/auth/resend-code';
import { handler as forgotPassword } from '#functions/auth/forgot-password';
import { handler as resetPassword } from '#functions/auth/reset-password';
import { handler as changePassword } from '#functions/auth/change-password';

const cognito = mockClient(CognitoIdentityProviderClient);
const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

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
  ses.reset();
  process.env.MAIL_FROM = 'Taskwell <notifications@example.com>';
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1', ...meta });
  ddb.on(GetCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({ Attributes: { failures: 1 } });
});

describe('POST /v1/auth/register', () => {
  const body = { email: 'Ada@Example.com', password: 'Correct-Horse-9', name: 'Ada' };
  const accepted = { message: ACCEPTED.register };
  const account = (status: UserStatusType) => ({ Username: 'u-old', UserStatus: status, Enabled: true, UserAttributes: [{ Name: 'sub', Value: 'u-old' }, { Name: 'email', Value: 'ada@example.com' }], ...meta });

  it('signs a new address up with the email as username, and writes no profile before confirmation', async () => {
    cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', ...meta }));
    cognito.on(SignUpCommand).resolves({ UserSub: 'u-1', UserConfirmed: false, ...meta });

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(202);
    expect(res.body).toEqual(accepted);
    const signUp = cognito.commandCalls(SignUpCommand)[0]!.args[0].input;
    expect(signUp).toMatchObject({ ClientId: 'unittestclient', Username: 'ada@example.com', Password: 'Correct-Horse-9' });
    expect(signUp.UserAttributes).toEqual([
      { Name: 'email', Value: 'ada@example.com' },
      { Name: 'name', Value: 'Ada' },
    ]);
    expect(ddb.calls()).toHaveLength(0);
    expect(ses.calls()).toHaveLength(0);
  });

  it('replaces a sign-up that was never confirmed: the old account is deleted and the address signed up again', async () => {
    cognito.on(AdminGetUserCommand).resolves(account('UNCONFIRMED'));
    cognito.on(AdminDeleteUserCommand).resolves(meta);
    cognito.on(SignUpCommand).resolves({ UserSub: 'u-2', UserConfirmed: false, ...meta });

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(202);
    expect(res.body).toEqual(accepted);
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'us-east-1_unittest1', Username: 'u-old' });
    expect(cognito.commandCalls(SignUpCommand)).toHaveLength(1);
    // A profile an earlier version made at sign-up goes too, with the claim on the address if it still names it.
    const deletes = ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([
      expect.objectContaining({ Key: { pk: 'EMAIL#ada@example.com', sk: 'EMAIL' }, ExpressionAttributeValues: expect.objectContaining({ ':id': 'u-old' }) }),
      expect.objectContaining({ Key: { pk: 'USER#u-old', sk: 'PROFILE' }, ExpressionAttributeValues: expect.objectContaining({ ':id': 'u-old' }) }),
    ]);
  });

  it('keeps a sign-up its owner confirmed between the two reads: nothing is deleted, the answer is the same', async () => {
    cognito.on(AdminGetUserCommand).resolvesOnce(account('UNCONFIRMED')).resolves(account('CONFIRMED'));

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(202);
    expect(res.body).toEqual(accepted);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
    expect(cognito.commandCalls(SignUpCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('answers a confirmed address exactly like a new one, changes nothing, and emails its owner a notice', async () => {
    cognito.on(AdminGetUserCommand).resolves(account('CONFIRMED'));

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(202);
    expect(res.body).toEqual(accepted);
    expect(cognito.commandCalls(SignUpCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
    const sent = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(sent.Destination?.ToAddresses).toEqual(['ada@example.com']);
    expect(sent.Content?.Simple?.Subject?.Data).toMatch(/tried to register/);
    expect(JSON.stringify(sent)).not.toContain('Correct-Horse-9');
  });

  it('sends an address at most one notice per hour, answering the same either way', async () => {
    cognito.on(AdminGetUserCommand).resolves(account('CONFIRMED'));
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(202);
    expect(res.body).toEqual(accepted);
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({ pk: `NOTICE#${emailHash('ada@example.com')}`, sk: 'NOTICE#registration-attempted' });
    expect(ses.calls()).toHaveLength(0);
  });

  it('answers the same when a concurrent registration took the address first', async () => {
    cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', ...meta }));
    cognito.on(SignUpCommand).rejects(new UsernameExistsException({ message: 'User already exists', ...meta }));

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(202);
    expect(res.body).toEqual(accepted);
  });

  it("answers 400 with a field error on body.password when Cognito rejects the password", async () => {
    cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', ...meta }));
    cognito.on(SignUpCommand).rejects(new InvalidPasswordException({ message: 'Password did not conform with policy: Password must have symbol characters', ...meta }));

    const res = await post(register, '/v1/auth/register', body);

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'body.password', message: 'Password did not conform with policy: Password must have symbol characters' }]);
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
    cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', ...meta }));
    cognito.on(SignUpCommand).rejects(new TooManyRequestsException({ message: 'slow down', ...meta }));
    expect((await post(register, '/v1/auth/register', body)).status).toBe(429);
  });
});

describe('POST /v1/auth/confirm', () => {
  it('confirms the account with the code and creates its profile and email claim in one transaction', async () => {
    cognito.on(ConfirmSignUpCommand).resolves(meta);
    cognito.on(AdminGetUserCommand).resolves({
      Username: 'u-1',
      UserStatus: 'CONFIRMED',
      Enabled: true,
      UserAttributes: [{ Name: 'sub', Value: 'u-1' }, { Name: 'email', Value: 'ada@example.com' }, { Name: 'name', Value: 'Ada' }],
      ...meta,
    });

    const res = await post(confirm, '/v1/auth/confirm', { email: 'Ada@example.com', code: '123456' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ confirmed: true });
    expect(cognito.commandCalls(ConfirmSignUpCommand)[0]!.args[0].input).toEqual({ ClientId: 'unittestclient', Username: 'ada@example.com', ConfirmationCode: '123456' });
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const [profile, email] = writes[0]!.args[0].input.TransactItems!;
    expect(profile!.Put).toMatchObject({
      Item: { pk: 'USER#u-1', sk: 'PROFILE', entity: 'User', email: 'ada@example.com', name: 'Ada', status: 'active', timezone: 'UTC', version: 1, modifiedBy: 'u-1', gsi1pk: 'USERS', gsi1sk: 'EMAIL#ada@example.com' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(email!.Put).toMatchObject({ Item: { pk: 'EMAIL#ada@example.com', sk: 'EMAIL', entity: 'UserEmail', userId: 'u-1' }, ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it.each([
    ['a wrong code', new CodeMismatchException({ message: 'Invalid code', ...meta })],
    ['an expired code', new ExpiredCodeException({ message: 'Expired', ...meta })],
    ['an unknown email', new UserNotFoundException({ message: 'User does not exist.', ...meta })],
    ['an already confirmed account', new NotAuthorizedException({ message: 'User cannot be confirmed. Current status is CONFIRMED', ...meta })],
    ['too many wrong codes for the account', new TooManyFailedAttemptsException({ message: 'Too many failed attempts', ...meta })],
  ])('answers the one invalid-code 400 for %s, writing nothing', async (_what, error) => {
    cognito.on(ConfirmSignUpCommand).rejects(error);

    const res = await post(confirm, '/v1/auth/confirm', { email: 'ada@example.com', code: '654321' });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: type('invalid-code'), detail: new InvalidCode().message });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.code']);
    expect(ddb.calls()).toHaveLength(0);
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
  ])('answers 401 with the same message for %s, counting one failure for the address', async (_what, error) => {
    cognito.on(InitiateAuthCommand).rejects(error);

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ type: type('invalid-credentials'), detail: 'Incorrect email or password.' });
    const counted = ddb.commandCalls(UpdateCommand);
    expect(counted).toHaveLength(1);
    expect(counted[0]!.args[0].input.Key).toEqual({ pk: `LOGINATTEMPTS#${emailHash('ada@example.com')}`, sk: 'LOGINATTEMPTS' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('locks the address at the fifth failure in the window', async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta }));
    ddb.on(UpdateCommand).resolves({ Attributes: { failures: 5 } });

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(401);
    const lock = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item!).find((item) => item.lockedUntil !== undefined);
    expect(lock).toMatchObject({ pk: `LOGINATTEMPTS#${emailHash('ada@example.com')}`, entity: 'LoginAttempts' });
    expect(lock!.lockedUntil - Math.floor(Date.now() / 1000)).toBeGreaterThan(14 * 60);
    expect(lock!.expiresAt).toBeGreaterThanOrEqual(lock!.lockedUntil);
  });

  it('refuses every login of a locked address with 429 and Retry-After, the right password included, without asking Cognito', async () => {
    authenticated();
    const lockedUntil = Math.floor(Date.now() / 1000) + 600;
    ddb.on(GetCommand, { Key: { pk: `LOGINATTEMPTS#${emailHash('ada@example.com')}`, sk: 'LOGINATTEMPTS' } }).resolves({ Item: { entity: 'LoginAttempts', failures: 0, windowStartedAt: lockedUntil, lockedUntil } });

    const res = await post(login, '/v1/auth/login', credentials);

    expect(res.status).toBe(429);
    expect(res.body.type).toBe(type('login-locked'));
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(590);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect(JSON.stringify(res.body)).not.toContain(accessToken);
    expect(cognito.commandCalls(InitiateAuthCommand)).toHaveLength(0);
  });

  it('forgets the failures of an address once its owner logs in', async () => {
    authenticated();
    ddb.on(GetCommand, { Key: { pk: 'USER#u-1', sk: 'PROFILE' } }).resolves({ Item: profileItem() });
    ddb.on(GetCommand, { Key: { pk: `LOGINATTEMPTS#${emailHash('ada@example.com')}`, sk: 'LOGINATTEMPTS' } }).resolves({ Item: { entity: 'LoginAttempts', failures: 3, windowStartedAt: Math.floor(Date.now() / 1000) } });

    expect((await post(login, '/v1/auth/login', credentials)).status).toBe(200);
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input.Key).toEqual({ pk: `LOGINATTEMPTS#${emailHash('ada@example.com')}`, sk: 'LOGINATTEMPTS' });
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

describe('account recovery', () => {
  const confirmedAccount = (extra: Record<string, unknown> = {}) => ({
    Username: 'u-1',
    UserStatus: 'CONFIRMED' as UserStatusType,
    Enabled: true,
    UserAttributes: [{ Name: 'sub', Value: 'u-1' }, { Name: 'email', Value: 'ada@example.com' }],
    ...extra,
    ...meta,
  });
  const unknown = () => cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', ...meta }));

  describe('POST /v1/auth/resend-code', () => {
    it('sends a new code to a pending sign-up', async () => {
      cognito.on(AdminGetUserCommand).resolves(confirmedAccount({ UserStatus: 'UNCONFIRMED' }));
      cognito.on(ResendConfirmationCodeCommand).resolves(meta);

      const res = await post(resendCode, '/v1/auth/resend-code', { email: 'Ada@example.com' });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: ACCEPTED.resendCode });
      expect(cognito.commandCalls(ResendConfirmationCodeCommand)[0]!.args[0].input).toEqual({ ClientId: 'unittestclient', Username: 'ada@example.com' });
    });

    it.each([
      ['an unknown address', () => unknown()],
      ['a confirmed account', () => cognito.on(AdminGetUserCommand).resolves(confirmedAccount())],
    ])('answers the same for %s and sends nothing', async (_what, arrange) => {
      arrange();

      const res = await post(resendCode, '/v1/auth/resend-code', { email: 'ada@example.com' });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: ACCEPTED.resendCode });
      expect(cognito.commandCalls(ResendConfirmationCodeCommand)).toHaveLength(0);
    });

    it("answers the same when the emulator lacks ResendConfirmationCode (cognito-local)", async () => {
      cognito.on(AdminGetUserCommand).resolves(confirmedAccount({ UserStatus: 'UNCONFIRMED' }));
      cognito.on(ResendConfirmationCodeCommand).rejects(Object.assign(new Error('Cognito Local unsupported feature: Unsupported x-amz-target header'), { name: 'Unsupported' }));

      expect((await post(resendCode, '/v1/auth/resend-code', { email: 'ada@example.com' })).status).toBe(202);
    });
  });

  describe('POST /v1/auth/forgot-password', () => {
    it('asks Cognito to email a reset code to a confirmed account', async () => {
      cognito.on(AdminGetUserCommand).resolves(confirmedAccount());
      cognito.on(ForgotPasswordCommand).resolves(meta);

      const res = await post(forgotPassword, '/v1/auth/forgot-password', { email: 'Ada@example.com' });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: ACCEPTED.forgotPassword });
      expect(cognito.commandCalls(ForgotPasswordCommand)[0]!.args[0].input).toEqual({ ClientId: 'unittestclient', Username: 'ada@example.com' });
    });

    it.each([
      ['an unknown address', () => unknown()],
      ['a pending sign-up', () => cognito.on(AdminGetUserCommand).resolves(confirmedAccount({ UserStatus: 'UNCONFIRMED' }))],
      ['a disabled account', () => cognito.on(AdminGetUserCommand).resolves(confirmedAccount({ Enabled: false }))],
    ])('answers the same for %s and sends nothing', async (_what, arrange) => {
      arrange();

      const res = await post(forgotPassword, '/v1/auth/forgot-password', { email: 'ada@example.com' });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: ACCEPTED.forgotPassword });
      expect(cognito.commandCalls(ForgotPasswordCommand)).toHaveLength(0);
    });

    it("answers the same when Cognito's per-account limit is reached", async () => {
      cognito.on(AdminGetUserCommand).resolves(confirmedAccount());
      cognito.on(ForgotPasswordCommand).rejects(new LimitExceededException({ message: 'Attempt limit exceeded', ...meta }));

      const res = await post(forgotPassword, '/v1/auth/forgot-password', { email: 'ada@example.com' });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: ACCEPTED.forgotPassword });
    });
  });

  describe('POST /v1/auth/reset-password', () => {
    const body = { email: 'Ada@example.com', code: '123456', password: 'New-Correct-Horse-9' };

    it('sets the password, revokes every refresh token of the account and clears its login lock', async () => {
      cognito.on(AdminGetUserCommand).resolves(confirmedAccount());
      cognito.on(ConfirmForgotPasswordCommand).resolves(meta);
      cognito.on(AdminUserGlobalSignOutCommand).resolves(meta);

      const res = await post(resetPassword, '/v1/auth/reset-password', body);

      expect(res.status).toBe(204);
      expect(cognito.commandCalls(ConfirmForgotPasswordCommand)[0]!.args[0].input).toEqual({
        ClientId: 'unittestclient',
        Username: 'ada@example.com',
        ConfirmationCode: '123456',
        Password: 'New-Correct-Horse-9',
      });
      expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'us-east-1_unittest1', Username: 'u-1' });
      expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input.Key).toEqual({ pk: `LOGINATTEMPTS#${emailHash('ada@example.com')}`, sk: 'LOGINATTEMPTS' });
    });

    it.each([
      ['a wrong code', () => cognito.on(ConfirmForgotPasswordCommand).rejects(new CodeMismatchException({ message: 'Invalid code', ...meta }))],
      ['an expired code', () => cognito.on(ConfirmForgotPasswordCommand).rejects(new ExpiredCodeException({ message: 'Expired', ...meta }))],
      ["Cognito's per-account limit", () => cognito.on(ConfirmForgotPasswordCommand).rejects(new LimitExceededException({ message: 'Attempt limit exceeded', ...meta }))],
    ])('answers the one invalid-code 400 for %s, and ends no session', async (_what, arrange) => {
      cognito.on(AdminGetUserCommand).resolves(confirmedAccount());
      arrange();

      const res = await post(resetPassword, '/v1/auth/reset-password', body);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: type('invalid-code'), detail: new InvalidCode().message });
      expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(0);
    });

    it.each([
      ['an unknown address', () => unknown()],
      ['a pending sign-up (whose sign-up code must not reset nor confirm it)', () => cognito.on(AdminGetUserCommand).resolves(confirmedAccount({ UserStatus: 'UNCONFIRMED' }))],
    ])('answers the same invalid-code 400 for %s without asking Cognito to reset', async (_what, arrange) => {
      arrange();

      const res = await post(resetPassword, '/v1/auth/reset-password', body);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: type('invalid-code'), detail: new InvalidCode().message });
      expect(cognito.commandCalls(ConfirmForgotPasswordCommand)).toHaveLength(0);
    });
  });

  describe('POST /v1/me/password', () => {
    const caller = { userId: 'u-1', email: 'ada@example.com' };
    const change = (body: unknown) =>
      invoke(changePassword, apiEvent('POST', '/v1/me/password', { body, user: caller, headers: { authorization: `Bearer ${accessToken}` } }));

    beforeEach(() => {
      ddb.on(GetCommand, { Key: { pk: 'USER#u-1', sk: 'PROFILE' } }).resolves({ Item: profileItem() });
    });

    it('changes the password with the caller’s token and ends every other session, keeping the caller’s', async () => {
      cognito.on(ChangePasswordCommand).resolves(meta);
      ddb.on(TransactWriteCommand).resolves({});

      const res = await change({ current: 'Correct-Horse-9', new: 'New-Correct-Horse-9' });

      expect(res.status).toBe(204);
      expect(cognito.commandCalls(ChangePasswordCommand)[0]!.args[0].input).toEqual({ AccessToken: accessToken, PreviousPassword: 'Correct-Horse-9', ProposedPassword: 'New-Correct-Horse-9' });
      // Every session signed in until now ends, in the same transaction that keeps the caller's own.
      const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
      expect(items[0]!.Update).toMatchObject({ Key: { pk: 'USER#u-1', sk: 'SESSIONS' } });
      expect(items[1]!.Put!.Item).toMatchObject({ pk: 'USER#u-1', sk: 'SESSION#session-1', keptGeneration: 1 });
      // A global sign-out would revoke the caller's refresh token too; no new sign-in is needed.
      expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(0);
      expect(cognito.commandCalls(InitiateAuthCommand)).toHaveLength(0);
    });

    it.each([
      ['Cognito', new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta })],
      ['cognito-local', new InvalidPasswordException({ message: 'Invalid password', ...meta })],
    ])('answers 400 password-change-refused for a wrong current password (%s), counting a failed login', async (_who, error) => {
      cognito.on(ChangePasswordCommand).rejects(error);

      const res = await change({ current: 'Wrong-Horse-9!', new: 'New-Correct-Horse-9' });

      expect(res.status).toBe(400);
      expect(res.body.type).toBe(type('password-change-refused'));
      expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.Key).toEqual({ pk: `LOGINATTEMPTS#${emailHash('ada@example.com')}`, sk: 'LOGINATTEMPTS' });
      expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(0);
    });

    it('answers 400 naming body.new for a new password that breaks the policy, calling nobody', async () => {
      const res = await change({ current: 'Correct-Horse-9', new: 'weak' });

      expect(res.status).toBe(400);
      expect(new Set(res.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['body.new']));
      expect(cognito.calls()).toHaveLength(0);
    });
  });
});
