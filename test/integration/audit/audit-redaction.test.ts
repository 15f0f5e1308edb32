// Erasing an account rewrites the audit records that still hold an email or a name (written before the log left
// them out, in either storage form: compressed payload or plain attributes), and leaves every other record alone.
import { describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { AuditRecord } from '#shared/domain/audit';
import { AUDIT_ENTITY, auditStore, redactPersonalData, toRecord } from '#shared/store/audit-store';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { gzipSync } from 'node:zlib';

const at = '2026-06-01T10:00:00.000Z';
const record = (over: Partial<AuditRecord>): AuditRecord => ({
  id: ulid(),
  type: 'UserUpdated',
  occurredAt: at,
  actor: { userId: 'someone' },
  requestId: 'r1',
  entity: { type: 'User', id: 'someone' },
  projectId: null,
  changes: [],
  before: null,
  after: null,
  recordedAt: at,
  ...over,
});

/** A record as the store wrote it before the audit consumer left personal fields out (compressed or plain). */
const writeOld = async (r: AuditRecord, form: 'compressed' | 'plain') => {
  const { changes, before, after, entity, ...plain } = r;
  const payload = form === 'compressed' ? { data: gzipSync(JSON.stringify({ changes, before, after })) } : { changes, before, after };
  await documentClient.send(
    new PutCommand({ TableName: tableName(), Item: { ...plain, ...keys.auditRecord(r.occurredAt, r.id), ...keys.auditIndex(r), entity: AUDIT_ENTITY, subject: entity, ...payload } }),
  );
};

const read = async (r: AuditRecord) =>
  toRecord((await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.auditRecord(r.occurredAt, r.id), ConsistentRead: true }))).Item!);

describe('redacting personal data from old audit records', () => {
  it('takes emails and names out of profile and membership records of the user, by entity and by actor, and nothing else', async () => {
    const userId = `u-${ulid()}`;
    const profile = { id: userId, email: 'old@example.com', name: 'Old Name', timezone: 'UTC' };
    const updated = record({ entity: { type: 'User', id: userId }, actor: { userId }, before: profile, after: { ...profile, name: 'New Name' }, changes: [{ field: 'name', before: 'Old Name', after: 'New Name' }] });
    const membership = record({
      type: 'MemberAdded',
      entity: { type: 'Membership', id: `p1:${userId}` },
      actor: { userId: 'an-owner' },
      projectId: 'p1',
      after: { projectId: 'p1', userId, role: 'editor', email: 'old@example.com', name: 'Old Name' },
      changes: [{ field: 'email', before: null, after: 'old@example.com' }, { field: 'role', before: null, after: 'editor' }],
    });
    const theirTask = record({ type: 'TaskCreated', entity: { type: 'Task', id: 't1' }, actor: { userId }, projectId: 'p1', after: { id: 't1', title: 'Plan', name: 'a task field called name' } });
    await writeOld(updated, 'compressed');
    await writeOld(membership, 'plain');
    await writeOld(theirTask, 'compressed');

    expect(await redactPersonalData({ entityType: 'User', entityId: userId })).toBe(1);
    expect(await redactPersonalData({ entityType: 'Membership', entityId: `p1:${userId}` })).toBe(1);
    expect(await redactPersonalData({ actorId: userId })).toBe(0); // the profile record is clean now, the task has nothing personal

    const [u, m, t] = await Promise.all([read(updated), read(membership), read(theirTask)]);
    expect(JSON.stringify([u, m])).not.toMatch(/old@example\.com|Old Name|New Name/);
    expect(u).toMatchObject({ type: 'UserUpdated', actor: { userId }, before: { id: userId, timezone: 'UTC' }, changes: [] });
    expect(m).toMatchObject({ after: { userId, role: 'editor' }, changes: [{ field: 'role', before: null, after: 'editor' }] });
    expect(t).toEqual(theirTask);
    const history = await auditStore.search({ entityType: 'User', entityId: userId, from: '2000-01-01T00:00:00.000Z', to: '2999-12-31T23:59:59.999Z', limit: 10 });
    expect(history.items.map((r) => r.id)).toEqual([updated.id]);
  });
});
