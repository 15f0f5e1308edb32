// The user store against DynamoDB Local: a profile and its email claim are written together or not at
// all, an email belongs to one account, and updates are optimistic.
import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { Conflict, NotFound } from '#shared/domain/errors';
import { EmailTaken } from '#shared/domain/users';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { userStore } from '#shared/store/user-store';

const change = (actorId: string) => ({ actorId, requestId: `req-${randomUUID()}`, at: new Date().toISOString() });
const fresh = () => {
  const id = `u-${randomUUID()}`;
  return { id, email: `${id}@Example.com`, name: 'Ada' };
};
const raw = async (key: { pk: string; sk: string }) => (await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;

describe('userStore', () => {
  it('creates a profile with its email claim, found by id and by email in any case', async () => {
    const input = fresh();
    const created = await userStore.create(input, change(input.id));

    expect(created).toMatchObject({ id: input.id, email: input.email.toLowerCase(), name: 'Ada', timezone: 'UTC', status: 'active', version: 1 });
    expect(await userStore.get(input.id)).toEqual(created);
    expect(await userStore.findByEmail(input.email.toUpperCase())).toEqual(created);

    const profile = await raw(keys.user(input.id));
    expect(profile).toMatchObject({ entity: 'User', modifiedBy: input.id, ...keys.userIndex(input.email) });
    expect(typeof profile?.requestId).toBe('string');
    expect(await raw(keys.email(input.email))).toMatchObject({ entity: 'UserEmail', userId: input.id });
  });

  it('refuses a second account with the same email and writes nothing of it', async () => {
    const first = fresh();
    await userStore.create(first, change(first.id));
    const second = { id: `u-${randomUUID()}`, email: first.email.toUpperCase(), name: 'Mallory' };

    await expect(userStore.create(second, change(second.id))).rejects.toBeInstanceOf(EmailTaken);

    expect(await raw(keys.user(second.id))).toBeUndefined();
    expect(await raw(keys.email(first.email))).toMatchObject({ userId: first.id });
    expect((await userStore.findByEmail(first.email))?.id).toBe(first.id);
  });

  it('lets exactly one of two concurrent sign-ups with the same email win', async () => {
    const email = `race-${randomUUID()}@example.com`;
    const ids = [`u-${randomUUID()}`, `u-${randomUUID()}`];
    const results = await Promise.allSettled(ids.map((id) => userStore.create({ id, email, name: 'Racer' }, change(id))));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(Conflict) });
    const owner = (await raw(keys.email(email)))?.userId;
    const loser = ids.find((id) => id !== owner)!;
    expect(await raw(keys.user(loser))).toBeUndefined();
  });

  it('ensure returns an existing profile untouched and creates a missing one once', async () => {
    const input = fresh();
    const created = await userStore.ensure(input, change(input.id));
    const again = await userStore.ensure({ ...input, name: 'Other name' }, change(input.id));

    expect(again).toEqual(created);
    expect(again.name).toBe('Ada');
  });

  it('updates at the expected version and refuses a stale one, leaving the profile as it was', async () => {
    const input = fresh();
    await userStore.create(input, change(input.id));

    const updated = await userStore.update(input.id, { name: 'Ada L.', timezone: 'Europe/Berlin' }, 1, change(input.id));
    expect(updated).toMatchObject({ name: 'Ada L.', timezone: 'Europe/Berlin', version: 2 });

    await expect(userStore.update(input.id, { name: 'Stale' }, 1, change(input.id))).rejects.toBeInstanceOf(Conflict);
    expect(await userStore.get(input.id)).toMatchObject({ name: 'Ada L.', version: 2 });
  });

  it('lets exactly one of two concurrent updates on one version win', async () => {
    const input = fresh();
    await userStore.create(input, change(input.id));

    const results = await Promise.allSettled(['First', 'Second'].map((name) => userStore.update(input.id, { name }, 1, change(input.id))));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(Conflict) });
    expect((await userStore.get(input.id))?.version).toBe(2);
  });

  it('answers NotFound when updating a profile that does not exist, creating nothing', async () => {
    const id = `u-${randomUUID()}`;
    await expect(userStore.update(id, { name: 'Ghost' }, 1, change(id))).rejects.toBeInstanceOf(NotFound);
    expect(await raw(keys.user(id))).toBeUndefined();
  });

  it('finds no one for an unknown email', async () => {
    expect(await userStore.findByEmail(`nobody-${randomUUID()}@example.com`)).toBeUndefined();
  });
});
