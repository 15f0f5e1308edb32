// The pure rules behind the authorizer: which sessions have ended, how "end every session" keeps one, and the
// request quota with its headers; and http() answering 429 from the authorizer's context.
import { describe, expect, it } from 'vitest';
import { endSessions, isSessionEnded, startSession, type SessionState, type SessionStorePort } from '#shared/domain/sessions';
import { quotaHeaders, quotaPolicy, quotaState } from '#shared/domain/quota';
import { http } from '#shared/http/handler';
import { apiEvent, lambdaContext } from '#test/support/apigw-event';

describe('isSessionEnded', () => {
  const token = { sessionId: 's-1', authTime: 1_000 };
  it.each<[string, SessionState, boolean]>([
    ['no end at all', { generation: 0 }, false],
    ['a logout of this session', { generation: 0, session: { ended: true } }, true],
    ['an end of every session after the sign-in', { endedThrough: 1_001, generation: 1 }, true],
    ['an end in the sign-in second (the session may be older)', { endedThrough: 1_000, generation: 1 }, true],
    ['an end before the sign-in', { endedThrough: 999, generation: 1 }, false],
    ['an end this session was kept for', { endedThrough: 1_001, generation: 2, session: { keptGeneration: 2 } }, false],
    ['a later end than the one it was kept for', { endedThrough: 1_001, generation: 3, session: { keptGeneration: 2 } }, true],
    ['a logout of a kept session', { endedThrough: 1_001, generation: 2, session: { ended: true, keptGeneration: 2 } }, true],
  ])('%s → %s', (_what, state, ended) => {
    expect(isSessionEnded(token, state)).toBe(ended);
  });
});

const fakeSessions = (state: SessionState) => {
  const calls: string[] = [];
  const port: SessionStorePort = {
    state: async () => state,
    end: async (userId, sessionId) => void calls.push(`end ${userId} ${sessionId}`),
    endAll: async (userId, _at, keep) => void calls.push(`endAll ${userId} keep=${keep ?? '-'}`),
    keep: async (userId, sessionId, generation) => void calls.push(`keep ${userId} ${sessionId} ${generation}`),
  };
  return { port, calls };
};

describe('startSession (login)', () => {
  it('keeps a session that signed in during the second of the last end of every session', async () => {
    const { port, calls } = fakeSessions({ endedThrough: 1_000, generation: 4 });
    await startSession(port, 'u-1', { sessionId: 's-new', authTime: 1_000 });
    expect(calls).toEqual(['keep u-1 s-new 4']);
  });

  it('writes nothing for a session after every end', async () => {
    const { port, calls } = fakeSessions({ endedThrough: 999, generation: 4 });
    await startSession(port, 'u-1', { sessionId: 's-new', authTime: 1_000 });
    expect(calls).toEqual([]);
  });
});

describe('endSessions (the port password change and reset call)', () => {
  it('ends every session and revokes the refresh tokens at the identity provider', async () => {
    const { port, calls } = fakeSessions({ generation: 0 });
    await endSessions({ sessions: port, directory: { signOutEverywhere: async (id) => void calls.push(`signOut ${id}`) } }, 'u-1');
    expect(calls).toEqual(['endAll u-1 keep=-', 'signOut u-1']);
  });

  it('keeps the current session when asked, and leaves its refresh token alone', async () => {
    const { port, calls } = fakeSessions({ generation: 0 });
    await endSessions({ sessions: port, directory: { signOutEverywhere: async (id) => void calls.push(`signOut ${id}`) } }, 'u-1', { keep: 's-1' });
    expect(calls).toEqual(['endAll u-1 keep=s-1']);
  });
});

describe('the request quota', () => {
  it('is 100 a minute unless configured', () => {
    expect(quotaPolicy(undefined)).toEqual({ limit: 100, windowSeconds: 60 });
    expect(quotaPolicy('250')).toEqual({ limit: 250, windowSeconds: 60 });
    expect(quotaPolicy('0')).toEqual({ limit: 100, windowSeconds: 60 });
    expect(quotaPolicy('many')).toEqual({ limit: 100, windowSeconds: 60 });
  });

  it('allows the limit-th request and refuses the next, with the RateLimit fields', () => {
    const policy = { limit: 100, windowSeconds: 60 };
    const last = quotaState(policy, { count: 100, windowStart: 1_000 }, 1_020);
    expect(last).toMatchObject({ exceeded: false, remaining: 0, resetSeconds: 40 });
    expect(quotaHeaders(last)).toEqual({ 'ratelimit-policy': '"per-user";q=100;w=60', ratelimit: '"per-user";r=0;t=40' });
    const over = quotaState(policy, { count: 101, windowStart: 1_000 }, 1_059);
    expect(quotaHeaders(over)).toEqual({ 'ratelimit-policy': '"per-user";q=100;w=60', ratelimit: '"per-user";r=0;t=1', 'retry-after': '1' });
  });
});

describe('http() and the quota the authorizer counted', () => {
  const quota = (exceeded: boolean) => ({ quotaLimit: '100', quotaWindow: '60', quotaRemaining: exceeded ? '0' : '7', quotaReset: '12', quotaExceeded: String(exceeded) });
  const user = { userId: 'u-1', email: 'u1@example.com' };

  it('answers 429 problem+json with Retry-After and runs nothing when the quota is exceeded', async () => {
    let ran = false;
    const handler = http({}, async () => ((ran = true), { status: 200, body: {} }));
    const res = await handler(apiEvent('GET', '/v1/me', { user, authorizer: quota(true) }), lambdaContext());
    expect(ran).toBe(false);
    expect(res.statusCode).toBe(429);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '12', ratelimit: '"per-user";r=0;t=12' });
    expect(JSON.parse(res.body!)).toMatchObject({ status: 429, type: 'https://taskwell.dev/problems/quota-exceeded' });
  });

  it('adds the RateLimit fields to an answer within the quota', async () => {
    const handler = http({}, async () => ({ status: 200, body: { ok: true } }));
    const res = await handler(apiEvent('GET', '/v1/me', { user, authorizer: quota(false) }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'ratelimit-policy': '"per-user";q=100;w=60', ratelimit: '"per-user";r=7;t=12' });
    expect(res.headers).not.toHaveProperty('retry-after');
  });

  it('takes admin rights from the authorizer’s admin flag, not from the token’s groups', async () => {
    const handler = http({ auth: 'admin' }, async () => ({ status: 200, body: {} }));
    const groupsOnly = await handler(apiEvent('GET', '/v1/admin/stats', { user: { ...user, groups: ['admins'], isAdmin: false } }), lambdaContext());
    expect(groupsOnly.statusCode).toBe(403);
    const flagged = await handler(apiEvent('GET', '/v1/admin/stats', { user: { ...user, groups: [], isAdmin: true } }), lambdaContext());
    expect(flagged.statusCode).toBe(200);
  });
});
