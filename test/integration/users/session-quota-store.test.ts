// The session bookkeeping and the request counter on DynamoDB Local: what the authorizer reads in one BatchGetItem,
// how "end every session" keeps one session, and how the quota window opens, counts and reopens. None of it
// touches the profile (its version is what clients send in If-Match).
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { isSessionEnded } from '#shared/domain/sessions';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { userStore } from '#shared/store/user-store';
import { readAccess, sessionStore } from '#shared/store/session-store';
import { countRequest } from '#shared/store/quota-store';

const seedUser = async () => {
  const id = randomUUID();
  await userStore.create({ id, email: `s-${id}@example.com`, name: 'S' }, { actorId: id, requestId: 'req-1', at: new Date().toISOString() });
  return id;
};

const profileVersion = async (userId: string) =>
  (await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.user(userId), ConsistentRead: true }))).Item?.version;

describe('the session store', () => {
  it('reads the profile and the session state in one call, and ends one session by logout', async () => {
    const userId = await seedUser();
    const before = await readAccess(userId, 's-1');
    expect(before.profile).toMatchObject({ id: userId, status: 'active' });
    expect(before.sessions).toEqual({ generation: 0 });

    await sessionStore.end(userId, 's-1', new Date());
    const after = await readAccess(userId, 's-1');
    expect(isSessionEnded({ sessionId: 's-1', authTime: 1 }, after.sessions)).toBe(true);
    expect(isSessionEnded({ sessionId: 's-2', authTime: 1 }, (await readAccess(userId, 's-2')).sessions)).toBe(false);
    expect(await profileVersion(userId)).toBe(1);
  });

  it('ends every session signed in by then, keeping the one asked for, until the next end', async () => {
    const userId = await seedUser();
    const at = new Date();
    const second = Math.floor(at.getTime() / 1000);
    await sessionStore.endAll(userId, at, 'kept');
    const kept = await sessionStore.state(userId, 'kept');
    expect(kept).toMatchObject({ endedThrough: second, generation: 1, session: { keptGeneration: 1 } });
    expect(isSessionEnded({ sessionId: 'kept', authTime: second - 60 }, kept)).toBe(false);
    expect(isSessionEnded({ sessionId: 'other', authTime: second - 60 }, await sessionStore.state(userId, 'other'))).toBe(true);
    expect(isSessionEnded({ sessionId: 'later', authTime: second + 1 }, await sessionStore.state(userId, 'later'))).toBe(false);

    await sessionStore.endAll(userId, new Date(at.getTime() + 1000));
    expect(isSessionEnded({ sessionId: 'kept', authTime: second - 60 }, await sessionStore.state(userId, 'kept'))).toBe(true);
    expect(await profileVersion(userId)).toBe(1);
  });

  it('keeps a session that signed in during the cutoff second, but never brings back a logged-out one', async () => {
    const userId = await seedUser();
    const at = new Date();
    await sessionStore.endAll(userId, at);
    const state = await sessionStore.state(userId, 'fresh');
    await sessionStore.keep(userId, 'fresh', state.generation, at);
    expect(isSessionEnded({ sessionId: 'fresh', authTime: Math.floor(at.getTime() / 1000) }, await sessionStore.state(userId, 'fresh'))).toBe(false);

    await sessionStore.end(userId, 'gone', at);
    await sessionStore.keep(userId, 'gone', state.generation, at);
    expect((await sessionStore.state(userId, 'gone')).session?.ended).toBe(true);
  });
});

describe('the request counter', () => {
  it('opens a window at the first request, counts in it, and opens a new one after it', async () => {
    const userId = randomUUID();
    expect(await countRequest(userId, 1_000, 60)).toEqual({ count: 1, windowStart: 1_000 });
    expect(await countRequest(userId, 1_010, 60)).toEqual({ count: 2, windowStart: 1_000 });
    expect(await countRequest(userId, 1_059, 60)).toEqual({ count: 3, windowStart: 1_000 });
    expect(await countRequest(userId, 1_060, 60)).toEqual({ count: 1, windowStart: 1_060 });
    const item = (await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.requestQuota(userId), ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ entity: 'RequestQuota', count: 1, windowStart: 1_060, expiresAt: 1_180 });
  });

  it('counts concurrent requests exactly', async () => {
    const userId = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => countRequest(userId, 5_000, 60)));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
