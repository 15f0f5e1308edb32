// The audit log against DynamoDB Local: records written once per event, searched through the admin route.
// Each test uses its own year, actor and entities, so the month partitions it reads are its own.
import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { recordEvent } from '#shared/domain/audit';
import type { DomainEvent } from '#shared/events/schemas';
import { auditStore } from '#shared/store/audit-store';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';
import { handler as listAudit } from '#functions/audit/list-audit-records';

const admin: TestUser = { userId: 'admin-1', email: 'admin@example.com', groups: ['admins'] };
const plainUser: TestUser = { userId: 'user-1', email: 'user@example.com' };
const search = (query: Record<string, string | number | undefined>, user = admin) => invoke(listAudit, apiEvent('GET', '/v1/admin/audit', { user, query }));

let year = 2001;
const fixture = () => {
  const y = year++;
  const actor = `actor-${ulid()}`;
  const event = (n: number, over: Partial<DomainEvent> = {}): DomainEvent => ({
    id: `rec-${ulid()}:TaskUpdated`,
    type: 'TaskUpdated',
    version: 1,
    // Spread over the year: month (n % 12) + 1, day n % 28 + 1.
    occurredAt: new Date(Date.UTC(y, n % 12, (n % 28) + 1, 12, 0, n % 60)).toISOString(),
    actor: { userId: actor },
    requestId: `req-${n}`,
    entity: { type: 'Task', id: `task-${y}-${n % 3}` },
    projectId: null,
    before: { title: 'old', priority: 'low' },
    after: { title: 'new', priority: 'low' },
    changes: [{ field: 'title', before: 'old', after: 'new' }],
    ...over,
  });
  return { y, actor, event, from: `${y}-01-01T00:00:00.000Z`, to: `${y}-12-31T23:59:59.999Z` };
};

const readAll = async (query: Record<string, string | number | undefined>) => {
  const items: { id: string; occurredAt: string }[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await search({ ...query, cursor });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('too many pages');
};

describe('the audit log', () => {
  it('writes one record per event however often the event is delivered', async () => {
    const f = fixture();
    const event = f.event(1);
    expect(await recordEvent(auditStore, event, new Date())).toBe(true);
    expect(await recordEvent(auditStore, event, new Date())).toBe(false);
    const res = await search({ entityType: 'Task', entityId: event.entity.id, from: f.from, to: f.to });
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      id: event.id,
      type: 'TaskUpdated',
      actor: { userId: f.actor },
      requestId: 'req-1',
      entity: event.entity,
      changes: [{ field: 'title', before: 'old', after: 'new' }],
      before: { title: 'old', priority: 'low' },
      after: { title: 'new', priority: 'low' },
    });
  });

  it('pages newest first through a time range that spans months, without gaps or repeats', async () => {
    const f = fixture();
    const events = Array.from({ length: 30 }, (_, n) => f.event(n));
    for (const e of events) await recordEvent(auditStore, e, new Date());
    const items = await readAll({ from: f.from, to: f.to, limit: 7 });
    expect(items.map((i) => i.id)).toEqual([...events].sort((a, b) => (b.occurredAt + b.id).localeCompare(a.occurredAt + a.id)).map((e) => e.id));
  });

  it('filters by entity, by actor, by entity type and by time', async () => {
    const f = fixture();
    const events = Array.from({ length: 12 }, (_, n) => f.event(n));
    const other = f.event(5, { actor: { userId: 'someone-else' }, entity: { type: 'Project', id: `p-${f.y}` }, type: 'ProjectUpdated' });
    for (const e of [...events, other]) await recordEvent(auditStore, e, new Date());

    const ofEntity = await readAll({ entityType: 'Task', entityId: `task-${f.y}-1`, from: f.from, to: f.to });
    expect(ofEntity.map((i) => i.id).sort()).toEqual(events.filter((e) => e.entity.id === `task-${f.y}-1`).map((e) => e.id).sort());

    const ofActor = await readAll({ actorId: f.actor, limit: 5, from: f.from, to: f.to });
    expect(ofActor).toHaveLength(12);

    const projects = await readAll({ entityType: 'Project', from: f.from, to: f.to });
    expect(projects.map((i) => i.id)).toEqual([other.id]);

    const spring = await readAll({ actorId: f.actor, from: `${f.y}-03-01T00:00:00Z`, to: `${f.y}-05-31T23:59:59Z` });
    expect(spring.map((i) => i.occurredAt.slice(5, 7)).sort()).toEqual(['03', '04', '05']);
  });

  it('is for admins only', async () => {
    const res = await search({}, plainUser);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });

  it('rejects bad filters and foreign cursors with 400', async () => {
    const f = fixture();
    for (const query of [
      { entityId: 'x' },
      { from: 'yesterday' },
      { from: f.to, to: f.from },
      { entityType: 'Spaceship' },
      { limit: 0 },
      { cursor: 'garbage' },
      { unknown: 'x' },
      // A cursor of another search (another partition) cannot widen this one.
      { cursor: Buffer.from(JSON.stringify({ p: 'AUDIT#1999-01', k: { pk: 'AUDIT#1999-01', sk: 'AUDIT#x' } })).toString('base64url'), from: f.from, to: f.to },
    ]) {
      const res = await search(query as Record<string, string | number | undefined>);
      expect(res.status, JSON.stringify(query)).toBe(400);
    }
  });
});
