// The local Cognito (cognito-local + local/cognito-local-fidelity.cjs) against Cognito's documented TOTP MFA
// behaviour: RFC 6238 codes from an independent library (otpauth), a challenge session bound to its user and
// spent on success, MFA switched on by SetUserMFAPreference (not by VerifySoftwareToken), and refresh tokens from
// a challenge that refresh like any other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import {
  AssociateSoftwareTokenCommand,
  ConfirmSignUpCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_CONFIRMATION_CODE, localCognitoClient, startCognitoLocal, type CognitoLocal } from '#local/cognito';

let cognito: CognitoLocal;
let client: CognitoIdentityProviderClient;
let dataDir: string;
const password = 'Correct-Horse-9-battery';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'taskwell-cognito-mfa-'));
  cognito = await startCognitoLocal({ dataDir });
  client = localCognitoClient(cognito.endpoint);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await cognito?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const signIn = (email: string) =>
  client.send(new InitiateAuthCommand({ ClientId: cognito.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }));

const answer = (email: string, session: string | undefined, code: string) =>
  client.send(
    new RespondToAuthChallengeCommand({
      ClientId: cognito.userPoolClientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: session,
      ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
    }),
  );

const failure = (promise: Promise<unknown>) => promise.then(() => 'succeeded', (error: Error) => error.name);

/** A confirmed user with a verified authenticator; MFA switched on when `enable`. */
const userWithTotp = async (enable: boolean) => {
  const email = `mfa-${randomUUID()}@example.com`;
  await client.send(new SignUpCommand({ ClientId: cognito.userPoolClientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }] }));
  await client.send(new ConfirmSignUpCommand({ ClientId: cognito.userPoolClientId, Username: email, ConfirmationCode: DEFAULT_CONFIRMATION_CODE }));
  const accessToken = (await signIn(email)).AuthenticationResult!.AccessToken!;
  const { SecretCode } = await client.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SecretCode!), algorithm: 'SHA1', digits: 6, period: 30 });
  await client.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totp.generate() }));
  if (enable) await client.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
  return { email, totp, accessToken };
};

/** A code of the authenticator that is wrong now: 10 steps (5 minutes) ahead. */
const wrongCode = (totp: OTPAuth.TOTP) => totp.generate({ timestamp: Date.now() + 300_000 });

describe('local Cognito, TOTP MFA as Cognito documents it', () => {
  it('verifying an authenticator does not switch MFA on; SetUserMFAPreference does', async () => {
    const { email, accessToken } = await userWithTotp(false);
    const user = await client.send(new GetUserCommand({ AccessToken: accessToken }));
    expect(user.UserMFASettingList ?? []).not.toContain('SOFTWARE_TOKEN_MFA');
    expect((await signIn(email)).AuthenticationResult?.AccessToken).toBeTruthy();

    await client.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
    const challenged = await signIn(email);
    expect(challenged.AuthenticationResult).toBeUndefined();
    expect(challenged.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('answers the challenge with tokens for the current RFC 6238 code, and a refresh token that refreshes', async () => {
    const { email, totp } = await userWithTotp(true);
    const { Session } = await signIn(email);
    const done = await answer(email, Session, totp.generate());
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
    const refreshed = await client.send(
      new InitiateAuthCommand({ ClientId: cognito.userPoolClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: done.AuthenticationResult!.RefreshToken! } }),
    );
    expect(refreshed.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('refuses a wrong code with CodeMismatchException, and the session still takes the right one', async () => {
    const { email, totp } = await userWithTotp(true);
    const { Session } = await signIn(email);
    expect(await failure(answer(email, Session, wrongCode(totp)))).toBe('CodeMismatchException');
    expect((await answer(email, Session, totp.generate())).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('refuses a made-up session, a spent one and one of another user: a code alone never signs in', async () => {
    const alice = await userWithTotp(true);
    const bob = await userWithTotp(true);
    expect(await failure(answer(alice.email, randomUUID(), alice.totp.generate()))).toBe('NotAuthorizedException');

    const bobs = await signIn(bob.email);
    expect(await failure(answer(alice.email, bobs.Session, alice.totp.generate()))).toBe('NotAuthorizedException');

    const { Session } = await signIn(alice.email);
    await answer(alice.email, Session, alice.totp.generate());
    expect(await failure(answer(alice.email, Session, alice.totp.generate()))).toBe('NotAuthorizedException');
  });
});
