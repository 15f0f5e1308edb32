// Starts cognito-local with Cognito's session claims, which cognito-local 5.3 leaves out: every access and ID token
// of one sign-in and of the refreshes of its refresh token carries the same `origin_jti`, and `auth_time` stays the
// time of the sign-in (cognito-local restamps it on each refresh). The session id rides in the (locally readable)
// refresh token, so a refresh finds it again. Run by local/cognito.ts instead of cognito-local's own bin.
const { randomUUID } = require('node:crypto');
const { createRequire } = require('node:module');
// cognito-local's own jsonwebtoken, as it signs with it.
const jwt = createRequire(require.resolve('cognito-local/lib/services/tokenGenerator.js'))('jsonwebtoken');
const { JwtTokenGenerator } = require('cognito-local/lib/services/tokenGenerator.js');
const { UserPoolServiceImpl } = require('cognito-local/lib/services/userPoolService.js');
const key = require('cognito-local/lib/keys/cognitoLocal.private.json');

// A refresh looks its user up by the refresh token with the request's context, which then reaches the generator.
const REFRESH = Symbol('refreshToken');
const getUserByRefreshToken = UserPoolServiceImpl.prototype.getUserByRefreshToken;
UserPoolServiceImpl.prototype.getUserByRefreshToken = function (ctx, refreshToken) {
  ctx[REFRESH] = refreshToken;
  return getUserByRefreshToken.call(this, ctx, refreshToken);
};

/** Re-signs `token` (already signed by cognito-local's key) with `claims` added; header, iat, exp and iss stay as they were. */
const withClaims = (token, claims) => {
  const decoded = jwt.decode(token, { complete: true });
  const keyid = decoded.header.kid ? { keyid: decoded.header.kid } : {};
  return jwt.sign({ ...decoded.payload, ...claims }, key.pem, { algorithm: 'RS256', ...keyid });
};

const generate = JwtTokenGenerator.prototype.generate;
JwtTokenGenerator.prototype.generate = async function (ctx, ...rest) {
  const tokens = await generate.call(this, ctx, ...rest);
  const refreshed = ctx[REFRESH] ? jwt.decode(ctx[REFRESH]) : undefined;
  const session = {
    origin_jti: refreshed?.origin_jti ?? randomUUID(),
    auth_time: refreshed?.auth_time ?? jwt.decode(tokens.AccessToken).auth_time,
  };
  return {
    AccessToken: withClaims(tokens.AccessToken, session),
    IdToken: withClaims(tokens.IdToken, session),
    RefreshToken: withClaims(tokens.RefreshToken, session),
  };
};

require('cognito-local/lib/bin/start.js');
