// Sessions. One sign-in and every token its refreshes mint share a session id (Cognito's `origin_jti`) and the
// sign-in time (`auth_time`, epoch seconds). A session ends by logout (that session), by "log out everywhere"
// (every session of the user), or by a password change (every session but the current one) or reset (all).
// Pure: the store is a port (shared/store/session-store.ts); the authorizer reads its state on every request.
import type { UserDirectoryPort } from '#shared/domain/admin';

/** The session a token belongs to, from its verified claims. */
export interface TokenSession {
  /** `origin_jti` (the same for a sign-in and its refreshes); empty when the token carries none. */
  sessionId: string;
  /** `auth_time`: when the session signed in (epoch seconds; refreshes keep it). */
  authTime: number;
}

/**
 * What the store holds about a user's sessions. "End every session" cannot list the sessions, so it records a
 * cutoff: sessions signed in at or before `endedThrough` have ended. Tokens carry seconds only, so a session
 * that signs in during the cutoff's own second (after it) is marked kept for that end (`keptGeneration`).
 */
export interface SessionState {
  /** Epoch second of the last "end every session"; absent when there was none. */
  endedThrough?: number;
  /** How many times every session was ended: a kept mark holds for the end it was made for only. */
  generation: number;
  /** This session's own mark, when it has one. */
  session?: { ended?: boolean; keptGeneration?: number };
}

/** Whether a token's session has ended: the authorizer's and the refresh route's one rule. */
export const isSessionEnded = (token: TokenSession, state: SessionState): boolean => {
  if (state.session?.ended) return true;
  if (state.endedThrough === undefined || token.authTime > state.endedThrough) return false;
  return state.session?.keptGeneration !== state.generation;
};

/** A user's sessions on the table. Marks expire (TTL) once no token of the session can be used any more. */
export interface SessionStorePort {
  /** Consistent read of the user's session state, with the mark of `sessionId`. */
  state(userId: string, sessionId: string): Promise<SessionState>;
  /** Marks one session ended. */
  end(userId: string, sessionId: string, at: Date): Promise<void>;
  /** Ends every session signed in at or before `at` (to the second), except `keep`, which stays valid. */
  endAll(userId: string, at: Date, keep?: string): Promise<void>;
  /** Keeps a session that signed in during the second of end number `generation`, after it. */
  keep(userId: string, sessionId: string, generation: number, at: Date): Promise<void>;
}

export interface SessionPorts {
  sessions: SessionStorePort;
  /** Revokes the account's refresh tokens at the identity provider too (when every session ends). */
  directory: Pick<UserDirectoryPort, 'signOutEverywhere'>;
}

/**
 * Ends the sessions of a user: every one, or every one but `keep` (the session id of the caller, for a password
 * change). Takes effect on each token's next request (the authorizer) and refresh (the refresh route). Without
 * `keep`, the identity provider also revokes every refresh token of the account.
 */
export const endSessions = async ({ sessions, directory }: SessionPorts, userId: string, options: { keep?: string } = {}, now = new Date()): Promise<void> => {
  await sessions.endAll(userId, now, options.keep || undefined);
  if (!options.keep) await directory.signOutEverywhere(userId);
};

/** Ends one session (logout). Nothing to do for a token without a session id. */
export const endSession = async (sessions: Pick<SessionStorePort, 'end'>, userId: string, sessionId: string, now = new Date()): Promise<void> => {
  if (sessionId) await sessions.end(userId, sessionId, now);
};

/**
 * Called with the tokens of a fresh sign-in: when it falls in the second of an earlier "end every session" (the
 * cutoff would take it for an older session), marks it kept so that it works.
 */
export const startSession = async (sessions: Pick<SessionStorePort, 'state' | 'keep'>, userId: string, token: TokenSession, now = new Date()): Promise<void> => {
  if (!token.sessionId) return;
  const state = await sessions.state(userId, token.sessionId);
  if (!state.session?.ended && isSessionEnded(token, state)) await sessions.keep(userId, token.sessionId, state.generation, now);
};
