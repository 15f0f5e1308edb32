// Verifies Cognito access tokens for the Lambda authorizer: signature (the pool's JWKS), issuer,
// expiry, token use `access` and our app client. One verifier per execution environment; the JWKS
// is fetched once from Cognito, or handed in with primeJwks (the local runtime passes cognito-local's,
// whose pool has an AWS-shaped id and the real issuer form, so this code runs unchanged there).
import { createHash } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';

const verifier = CognitoJwtVerifier.create({
  userPoolId: process.env.USER_POOL_ID ?? '',
  tokenUse: 'access',
  clientId: process.env.USER_POOL_CLIENT_ID ?? '',
});

/** Loads a JWKS into the verifier's cache (no download needed for the keys it holds). */
export const primeJwks = (jwks: unknown): void => verifier.cacheJwks(jwks as Jwks);

export interface VerifiedToken {
  /** The user's id (Cognito `sub`). */
  sub: string;
  /** Cognito groups the token was issued with. */
  groups: string[];
  /** Expiry, epoch seconds. */
  exp: number;
  /** The session: `origin_jti` (shared by a sign-in and its refreshes), else the token's own `jti`; empty without both. */
  sessionId: string;
  /** `auth_time`: when the session signed in (epoch seconds), else `iat`. */
  authTime: number;
}

/** Verified tokens until they expire, keyed by a hash of the token (the token itself is not kept). */
const MAX_CACHED = 2_000;
const verified = new Map<string, VerifiedToken>();

const remember = (key: string, token: VerifiedToken): void => {
  if (verified.size >= MAX_CACHED) {
    const now = Math.floor(Date.now() / 1000);
    for (const [k, v] of verified) if (v.exp <= now) verified.delete(k);
    // Still full: drop the oldest entry (a Map iterates in insertion order).
    if (verified.size >= MAX_CACHED) verified.delete(verified.keys().next().value as string);
  }
  verified.set(key, token);
};

/** Forgets every cached verification (tests). */
export const clearVerificationCache = (): void => verified.clear();

/** The claims of a valid access token of our pool and client; rejects (any Error) otherwise. */
export const verifyAccessToken = async (token: string): Promise<VerifiedToken> => {
  const key = createHash('sha256').update(token).digest('base64url');
  const cached = verified.get(key);
  if (cached && cached.exp > Date.now() / 1000) return cached;
  if (cached) verified.delete(key);
  const payload = await verifier.verify(token);
  const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'].filter((g): g is string => typeof g === 'string') : [];
  const str = (value: unknown) => (typeof value === 'string' ? value : '');
  const sessionId = str(payload.origin_jti) || str(payload.jti);
  const authTime = typeof payload.auth_time === 'number' ? payload.auth_time : Number(payload.iat ?? 0);
  const result: VerifiedToken = { sub: payload.sub, groups, exp: payload.exp, sessionId, authTime };
  remember(key, result);
  return result;
};
