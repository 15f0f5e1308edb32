// The audit log names people by their opaque id only: emails and names never reach a record, so erasing an account
// leaves nothing personal of it readable there. And erasing a profile is announced as UserDeleted, not UserUpdated.
import { describe, expect, it } from 'vitest';
import { auditRecordOf } from '#shared/domain/audit';
import { eventsFromChange } from '#shared/events/mapper';

const at = '2026-12-02T10:00:00.000Z';
const profile = { pk: 'USER#u1', sk: 'PROFILE', entity: 'User', id: 'u1', email: 'erin@example.com', name: 'Erin Example', timezone: 'UTC', status: 'active', createdAt: at, updatedAt: at, version: 1, modifiedBy: 'u1', requestId: 'r1' };
const member = { pk: 'PROJECT#p1', sk: 'MEMBER#u1', entity: 'Membership', projectId: 'p1', userId: 'u1', role: 'editor', email: 'erin@example.com', name: 'Erin Example', addedBy: 'u2', createdAt: at, updatedAt: at, version: 1, modifiedBy: 'u2', requestId: 'r2' };
const task = { pk: 'TASK#t1', sk: 'TASK', entity: 'Task', id: 't1', projectId: 'p1', title: 'Plan', description: null, status: 'todo', priority: 'low', dueAt: null, tags: [], assigneeId: 'u1', createdBy: 'u2', createdAt: at, updatedAt: at, completedAt: null, version: 1, modifiedBy: 'u2', requestId: 'r3' };

const recordsOf = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', oldImage?: Record<string, unknown>, newImage?: Record<string, unknown>) =>
  eventsFromChange({ eventId: 'e1', eventName, oldImage, newImage, approximateCreationTime: at }).map((event) => auditRecordOf(event, at));

describe('audit records and personal data', () => {
  it('keep no email or name of a profile or a membership, only the opaque ids', () => {
    const records = [
      ...recordsOf('INSERT', undefined, profile),
      ...recordsOf('MODIFY', profile, { ...profile, name: 'Erin Renamed', email: 'new@example.com', timezone: 'Europe/Berlin', version: 2 }),
      ...recordsOf('INSERT', undefined, member),
      ...recordsOf('MODIFY', member, { ...member, deletedAt: at, deletedBy: 'u1', version: 2 }),
    ];
    expect(records.map((r) => r.type)).toEqual(['UserRegistered', 'UserUpdated', 'MemberAdded', 'MemberRemoved']);
    const text = JSON.stringify(records);
    expect(text).not.toMatch(/erin@example\.com|new@example\.com|Erin Example|Erin Renamed/);
    expect(text).toContain('u1');
    expect(records[1]!.changes).toEqual([{ field: 'timezone', before: 'UTC', after: 'Europe/Berlin' }]);
  });

  it('keep the other entities as they were', () => {
    const [record] = recordsOf('INSERT', undefined, task);
    expect(record!.after).toMatchObject({ title: 'Plan', assigneeId: 'u1' });
  });

  it('record an erased profile as UserDeleted, with nothing personal', () => {
    const records = recordsOf('REMOVE', profile, undefined);
    expect(records.map((r) => r.type)).toEqual(['UserDeleted']);
    expect(JSON.stringify(records)).not.toMatch(/erin@example\.com|Erin Example/);
  });
});
