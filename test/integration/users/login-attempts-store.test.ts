// The login-lock counters and the notice ledger against DynamoDB Local: failures are counted atomically within a
// window, a new window starts after it, a lock is read back, and nothing names the address in clear.
import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { emailHash, loginAttemptsStore as attempts } from '#shared/store/login-attempts-store';
import { noticeLedger } from '#shared/store/notice-ledger-store';
import { userStore } from '#shared/store/user-store';

const WINDOW = 900;
const address = () => `Lock-${randomUUID()}@Example.com`;
const raw = async (key: { pk: string; sk: string }) => (await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;

describe('loginAttemptsStore', () => {
  it('counts concurrent failures of one address without losing any, in any letter case, under a hashed key', async () => {
    const email = address();
    const now = 1_800_000_000;

    const counts = await Promise.all(Array.from({ length: 8 }, (_, i) => attempts.recordFailure(i % 2 ? email.toUpperCase() : email, now, WINDOW)));

    expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await attempts.get(email.toLowerCase())).toMatchObject({ failures: 8, windowStartedAt: now });
    const item = await raw(keys.loginAttempts(emailHash(email)));
    expect(item).toMatchObject({ entity: 'LoginAttempts', expiresAt: now + 2 * WINDOW });
    expect(JSON.stringify(item).toLowerCase()).not.toContain(email.toLowerCase());
  });

  it('starts a new window once the last one is over', async () => {
    const email = address();
    const start = 1_800_000_000;
    await attempts.recordFailure(email, start, WINDOW);
    await attempts.recordFailure(email, start + 10, WINDOW);

    expect(await attempts.recordFailure(email, start + WINDOW + 1, WINDOW)).toBe(1);
    expect(await attempts.get(email)).toMatchObject({ failures: 1, windowStartedAt: start + WINDOW + 1 });
  });

  it('keeps a lock until it ends, counts afresh after it, and forgets everything on clear', async () => {
    const email = address();
    const now = 1_800_000_000;
    await attempts.recordFailure(email, now, WINDOW);
    await attempts.lock(email, now + WINDOW);

    expect(await attempts.get(email)).toMatchObject({ failures: 0, lockedUntil: now + WINDOW });
    expect(await attempts.recordFailure(email, now + WINDOW + 5, WINDOW)).toBe(1);

    await attempts.clear(email);
    expect(await attempts.get(email)).toBeUndefined();
  });
});

describe('noticeLedger', () => {
  it('grants one notice of a kind per address per period', async () => {
    const email = address();
    const now = 1_800_000_000;

    const claims = await Promise.all([1, 2, 3].map(() => noticeLedger.claim(email, 'registration-attempted', now, 3600)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await noticeLedger.claim(email.toUpperCase(), 'registration-attempted', now + 60, 3600)).toBe(false);
    expect(await noticeLedger.claim(email, 'another-kind', now + 60, 3600)).toBe(true);
    expect(await noticeLedger.claim(email, 'registration-attempted', now + 3600, 3600)).toBe(true);
  });
});

describe('userStore.discardPending', () => {
  it("removes a pending account's profile and its email claim, and never another user's claim", async () => {
    const pendingId = `u-${randomUUID()}`;
    const email = `${pendingId}@example.com`;
    const change = { actorId: pendingId, requestId: `req-${randomUUID()}`, at: new Date().toISOString() };
    await userStore.create({ id: pendingId, email, name: 'Pending' }, change);

    await userStore.discardPending(pendingId, email);
    expect(await raw(keys.user(pendingId))).toBeUndefined();
    expect(await raw(keys.email(email))).toBeUndefined();

    const ownerId = `u-${randomUUID()}`;
    await userStore.create({ id: ownerId, email, name: 'Owner' }, { ...change, actorId: ownerId });
    await userStore.discardPending(pendingId, email);
    expect(await raw(keys.email(email))).toMatchObject({ userId: ownerId });
    expect(await userStore.findByEmail(email)).toMatchObject({ id: ownerId });
  });
});
