// Preloaded into the cognito-local process (`node --require <this> cognito-local/lib/bin/start.js`, see
// local/cognito.ts): it wraps three of cognito-local 5.3.0's operations so that the MFA sign-in behaves as Amazon
// Cognito documents it. Plain CommonJS because it runs inside the emulator's own process, before its server starts.
//
// What cognito-local bends, and what this restores (docs/local-runtime.md, "Cognito and MFA"):
// - RespondToAuthChallenge accepted ANY `Session`: cognito-local hands out a random UUID and never checks it, so a
//   TOTP code and an email were enough to get tokens without the password. Cognito's session is bound to the user
//   and app client that signed in, is spent once the challenge is answered, and lapses after the client's
//   AuthSessionValidity (3 minutes by default): answering with another, a spent or an expired session is a
//   NotAuthorizedException ("Invalid session for the user"). A wrong code leaves the session usable until it lapses.
// - RespondToAuthChallenge issued a refresh token it never recorded, so /v1/auth/refresh and /v1/auth/logout did
//   not know it; Cognito's refresh tokens from a challenge are ordinary ones. This records it like InitiateAuth does.
// - VerifySoftwareToken switched MFA on; in Cognito it only marks the software token verified, and MFA is switched
//   on by SetUserMFAPreference. This keeps the user's MFA methods as they were before the verification.
// Codes are RFC 6238 TOTP (SHA-1, 6 digits, 30-second steps, one step of tolerance either side): cognito-local's
// own services/totp already does that with otplib, and is left alone.
'use strict';
const { randomBytes } = require('node:crypto');
const { Targets } = require('cognito-local/lib/targets/targets.js');
const { NotAuthorizedError } = require('cognito-local/lib/errors.js');

/** Cognito's default AuthSessionValidity (minutes), the CDK app client's too. */
const SESSION_VALIDITY_MS = 3 * 60 * 1000;
const MFA_CHALLENGES = new Set(['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'SELECT_MFA_TYPE']);

/** session → { username, clientId, challenge, expiresAt }; in memory, like the emulator's own MFA codes' lifetime. */
const sessions = new Map();

const forget = () => {
  const now = Date.now();
  for (const [session, entry] of sessions) if (entry.expiresAt <= now) sessions.delete(session);
};

const invalidSession = () => new NotAuthorizedError('Invalid session for the user, session is expired or was already used.');

const original = {
  InitiateAuth: Targets.InitiateAuth,
  RespondToAuthChallenge: Targets.RespondToAuthChallenge,
  VerifySoftwareToken: Targets.VerifySoftwareToken,
};

/** A challenge's session is an opaque random string bound to who signed in and where (Cognito: 20–2048 chars). */
const bind = (result, clientId) => {
  if (!result || !result.Session || !MFA_CHALLENGES.has(result.ChallengeName)) return result;
  forget();
  const session = randomBytes(48).toString('base64url');
  sessions.set(session, {
    username: result.ChallengeParameters && result.ChallengeParameters.USER_ID_FOR_SRP,
    clientId,
    challenge: result.ChallengeName,
    expiresAt: Date.now() + SESSION_VALIDITY_MS,
  });
  return { ...result, Session: session };
};

Targets.InitiateAuth = (services) => {
  const target = original.InitiateAuth(services);
  return async (ctx, req) => bind(await target(ctx, req), req.ClientId);
};

Targets.RespondToAuthChallenge = (services) => {
  const target = original.RespondToAuthChallenge(services);
  return async (ctx, req) => {
    if (!MFA_CHALLENGES.has(req.ChallengeName)) return target(ctx, req);
    forget();
    const entry = sessions.get(req.Session);
    if (!entry || entry.clientId !== req.ClientId || entry.challenge !== req.ChallengeName) throw invalidSession();
    const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
    const user = await userPool.getUserByUsername(ctx, (req.ChallengeResponses && req.ChallengeResponses.USERNAME) || '');
    if (!user || user.Username !== entry.username) throw invalidSession();
    const result = await target(ctx, req); // a wrong code throws here and leaves the session usable
    sessions.delete(req.Session);
    if (result.Session) return bind(result, req.ClientId); // SELECT_MFA_TYPE answered: the next challenge
    const refreshToken = result.AuthenticationResult && result.AuthenticationResult.RefreshToken;
    if (refreshToken) await userPool.storeRefreshToken(ctx, refreshToken, await userPool.getUserByUsername(ctx, user.Username));
    return result;
  };
};

/** The access token's claims, unverified (as cognito-local itself reads them); undefined when it is not a JWT. */
const claimsOf = (token) => {
  try {
    return JSON.parse(Buffer.from(String(token).split('.')[1] || '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

Targets.VerifySoftwareToken = (services) => {
  const target = original.VerifySoftwareToken(services);
  return async (ctx, req) => {
    const claims = req.AccessToken ? claimsOf(req.AccessToken) : undefined;
    const userPool = claims ? await services.cognito.getUserPoolForClientId(ctx, claims.client_id).catch(() => undefined) : undefined;
    const before = userPool ? await userPool.getUserByUsername(ctx, claims.sub) : undefined;
    const result = await target(ctx, req); // checks the token and the code
    if (userPool && before) {
      const after = await userPool.getUserByUsername(ctx, claims.sub);
      if (after) await userPool.saveUser(ctx, { ...after, UserMFASettingList: before.UserMFASettingList || [] });
    }
    return result;
  };
};
