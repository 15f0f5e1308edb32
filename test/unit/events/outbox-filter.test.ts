// The outbox mapping's filter criteria (shared/events/outbox.ts), evaluated as Lambda event filtering evaluates them:
// domain items reach the publisher, bookkeeping items (session marks, request counters) never invoke it.
import { describe, expect, it } from 'vitest';
import { OUTBOX_MAPPING } from '#shared/events/outbox';
import { matches, validatePattern, type EventPattern } from '#shared/events/pattern-matcher';
import { eventsFromChange } from '#shared/events/mapper';

const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', entity: string | undefined, ttl = false) => {
  const image = { pk: { S: 'USER#u-1' }, sk: { S: 'X' }, ...(entity ? { entity: { S: entity } } : {}) };
  return {
    eventID: 'e-1',
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: image.pk, sk: image.sk },
      ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image, ...(eventName === 'MODIFY' ? { OldImage: image } : {}) }),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
};

const invokesPublisher = (r: ReturnType<typeof record>) => OUTBOX_MAPPING.filters.some((pattern) => matches(pattern as unknown as EventPattern, r));

describe('the outbox mapping filter', () => {
  it('is made of valid patterns', () => {
    for (const pattern of OUTBOX_MAPPING.filters) expect(() => validatePattern(pattern)).not.toThrow();
  });

  it.each(['Task', 'Project', 'Membership', 'User'])('hands %s inserts, changes and removals to the publisher', (entity) => {
    expect(invokesPublisher(record('INSERT', entity))).toBe(true);
    expect(invokesPublisher(record('MODIFY', entity))).toBe(true);
    expect(invokesPublisher(record('REMOVE', entity))).toBe(true);
  });

  it.each(['RequestQuota', 'UserSessions', 'UserSession'])('drops every %s record, TTL expiries included', (entity) => {
    expect(invokesPublisher(record('INSERT', entity))).toBe(false);
    expect(invokesPublisher(record('MODIFY', entity))).toBe(false);
    expect(invokesPublisher(record('REMOVE', entity, true))).toBe(false);
  });

  it('drops items without an entity (they mean no event)', () => {
    expect(invokesPublisher(record('INSERT', undefined))).toBe(false);
  });
});

describe('the event mapper', () => {
  it.each([
    ['a session mark', { pk: 'USER#u-1', sk: 'SESSION#s-1', entity: 'UserSession', ended: true, expiresAt: 1 }],
    ['the sessions cutoff', { pk: 'USER#u-1', sk: 'SESSIONS', entity: 'UserSessions', endedThrough: 1, generation: 2 }],
    ['a request counter', { pk: 'USER#u-1', sk: 'QUOTA', entity: 'RequestQuota', windowStart: 1, count: 5 }],
  ])('makes no audit event of %s, should a record reach it', (_what, item) => {
    expect(eventsFromChange({ eventId: 'e-1', eventName: 'INSERT', newImage: item, approximateCreationTime: new Date().toISOString() })).toEqual([]);
    expect(eventsFromChange({ eventId: 'e-2', eventName: 'MODIFY', oldImage: item, newImage: { ...item, generation: 3, count: 6 }, approximateCreationTime: new Date().toISOString() })).toEqual([]);
  });
});
