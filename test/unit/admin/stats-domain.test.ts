// Which counters each task event moves (pure), and how the dashboard reads them.
import { describe, expect, it } from 'vitest';
import { countEvent, getStats, lastDays, STATS_MARKER_TTL_SECONDS, statsDeltaOf, type StatsDelta, type StoredStats } from '#shared/domain/stats';
import type { DomainEvent } from '#shared/events/schemas';

const task = (over: Record<string, unknown> = {}) => ({ id: 't-1', title: 'T', status: 'todo', priority: 'medium', projectId: null, ...over });

const event = (type: DomainEvent['type'], before: Record<string, unknown> | null, after: Record<string, unknown> | null, over: Partial<DomainEvent> = {}): DomainEvent => ({
  id: `rec-1:${type}`,
  type,
  version: 1,
  occurredAt: '2026-03-14T23:59:59.000Z',
  actor: { userId: 'u-1' },
  requestId: 'req-1',
  entity: { type: 'Task', id: 't-1' },
  projectId: null,
  before,
  after,
  changes: [],
  ...over,
});

const delta = (over: Partial<StatsDelta>): StatsDelta => ({ day: '2026-03-14', created: 0, completed: 0, open: {}, ...over });

describe('the counters an event moves', () => {
  it('counts a task announced overdue once, and takes it back when it is completed, re-dated or deleted', () => {
    const late = task({ dueAt: '2026-03-14T12:00:00.000Z', overdueAt: '2026-03-14T12:00:00.000Z' });
    const announced = event('TaskOverdue', task({ dueAt: '2026-03-14T12:00:00.000Z', overdueAt: null }), late);
    expect(statsDeltaOf(announced)).toEqual(delta({ overdue: 1 }));
    const done = { ...late, status: 'done' };
    // One write, two events: only TaskUpdated moves the overdue count.
    expect(statsDeltaOf(event('TaskUpdated', late, done))).toEqual(delta({ overdue: -1 }));
    expect(statsDeltaOf(event('TaskCompleted', late, done))).toEqual(delta({ completed: 1, open: { medium: -1 } }));
    expect(statsDeltaOf(event('TaskUpdated', late, { ...late, dueAt: '2026-04-01T00:00:00.000Z', overdueAt: null }))).toEqual(delta({ overdue: -1 }));
    expect(statsDeltaOf(event('TaskDeleted', late, null))).toEqual(delta({ overdue: -1, open: { medium: -1 } }));
  });

  it('counts a created task on the UTC day it was created, and as open at its priority', () => {
    expect(statsDeltaOf(event('TaskCreated', null, task({ priority: 'high' })))).toEqual(delta({ created: 1, open: { high: 1 } }));
  });

  it('counts a task created done as created and completed, not open', () => {
    expect(statsDeltaOf(event('TaskCreated', null, task({ status: 'done' })))).toEqual(delta({ created: 1, completed: 1 }));
  });

  it('moves an open task from its old priority to its new one', () => {
    const e = event('TaskUpdated', task({ priority: 'low' }), task({ priority: 'urgent' }), { changes: [{ field: 'priority', before: 'low', after: 'urgent' }] });
    expect(statsDeltaOf(e)).toEqual(delta({ open: { low: -1, urgent: 1 } }));
  });

  it('ignores a priority change of a done task, and updates that change nothing it counts', () => {
    expect(statsDeltaOf(event('TaskUpdated', task({ status: 'done', priority: 'low' }), task({ status: 'done', priority: 'high' })))).toBeUndefined();
    expect(statsDeltaOf(event('TaskUpdated', task({ title: 'a' }), task({ title: 'b' })))).toBeUndefined();
    expect(statsDeltaOf(event('TaskUpdated', task({ status: 'todo' }), task({ status: 'in_progress' })))).toBeUndefined();
  });

  it('counts a completion and takes the task out of the open ones at the priority it had', () => {
    expect(statsDeltaOf(event('TaskCompleted', task({ priority: 'high' }), task({ status: 'done', priority: 'high' })))).toEqual(
      delta({ completed: 1, open: { high: -1 } }),
    );
  });

  it('counts a reopened task as open again, without taking back the completion', () => {
    expect(statsDeltaOf(event('TaskReopened', task({ status: 'done', priority: 'low' }), task({ status: 'todo', priority: 'low' })))).toEqual(
      delta({ open: { low: 1 } }),
    );
  });

  it('counts one write that completes and re-prioritises a task exactly once (TaskUpdated + TaskCompleted)', () => {
    const before = task({ priority: 'medium' });
    const after = task({ status: 'done', priority: 'urgent' });
    const deltas = [event('TaskUpdated', before, after), event('TaskCompleted', before, after)].map(statsDeltaOf).filter(Boolean);
    expect(deltas).toEqual([delta({ completed: 1, open: { medium: -1 } })]);
  });

  it('counts one write that reopens and re-prioritises a task exactly once (TaskUpdated + TaskReopened)', () => {
    const before = task({ status: 'done', priority: 'low' });
    const after = task({ status: 'in_progress', priority: 'high' });
    const deltas = [event('TaskUpdated', before, after), event('TaskReopened', before, after)].map(statsDeltaOf).filter(Boolean);
    expect(deltas).toEqual([delta({ open: { high: 1 } })]);
  });

  it('takes a deleted open task out of the open ones, and changes nothing for a deleted done task', () => {
    expect(statsDeltaOf(event('TaskDeleted', task({ priority: 'urgent' }), null))).toEqual(delta({ open: { urgent: -1 } }));
    expect(statsDeltaOf(event('TaskDeleted', task({ status: 'done' }), null))).toBeUndefined();
  });

  it('counts a restored open task as open again, and a restored done one not', () => {
    expect(statsDeltaOf(event('TaskRestored', null, task({ priority: 'low' })))).toEqual(delta({ open: { low: 1 } }));
    expect(statsDeltaOf(event('TaskRestored', null, task({ status: 'done' })))).toBeUndefined();
  });

  it('ignores other events, other entities and malformed priorities', () => {
    expect(statsDeltaOf(event('TaskAssigned', task(), task({ assigneeId: 'u-2' })))).toBeUndefined();
    expect(statsDeltaOf(event('ProjectCreated', null, { id: 'p-1' }, { entity: { type: 'Project', id: 'p-1' } }))).toBeUndefined();
    expect(statsDeltaOf(event('TaskCreated', null, task({ priority: 'whenever' })))).toEqual(delta({ created: 1 }));
  });

  it('keeps the sum over a task’s life at zero open once it is gone', () => {
    const t0 = task({ priority: 'low' });
    const t1 = task({ priority: 'high' });
    const t2 = task({ priority: 'high', status: 'done' });
    const t3 = task({ priority: 'high', status: 'todo' });
    const life = [
      event('TaskCreated', null, t0),
      event('TaskUpdated', t0, t1),
      event('TaskUpdated', t1, t2),
      event('TaskCompleted', t1, t2),
      event('TaskUpdated', t2, t3),
      event('TaskReopened', t2, t3),
      event('TaskDeleted', t3, null),
      event('TaskRestored', null, t3),
      event('TaskDeleted', t3, null),
    ];
    const open: Record<string, number> = {};
    let created = 0;
    let completed = 0;
    for (const d of life.map(statsDeltaOf)) {
      if (!d) continue;
      created += d.created;
      completed += d.completed;
      for (const [p, n] of Object.entries(d.open)) open[p] = (open[p] ?? 0) + n;
    }
    expect({ created, completed }).toEqual({ created: 1, completed: 1 });
    expect(Object.values(open).every((n) => n === 0)).toBe(true);
  });
});

describe('counting an event', () => {
  it('hands the delta to the store with a marker that outlives every redelivery', async () => {
    const calls: unknown[][] = [];
    const store = { apply: async (...args: unknown[]) => (calls.push(args), true) };
    const now = new Date('2026-03-15T00:00:00.000Z');
    expect(await countEvent(store, event('TaskCreated', null, task()), now)).toBe(true);
    expect(calls).toEqual([['rec-1:TaskCreated', delta({ created: 1, open: { medium: 1 } }), Date.parse('2026-03-15T00:00:00Z') / 1000 + STATS_MARKER_TTL_SECONDS]]);
    // The queue keeps a message 4 days and its DLQ 14 more.
    expect(STATS_MARKER_TTL_SECONDS).toBeGreaterThan(18 * 86_400);
  });

  it('writes nothing for an event that moves no counter', async () => {
    let called = false;
    const store = { apply: async () => ((called = true), true) };
    expect(await countEvent(store, event('TaskUpdated', task({ title: 'a' }), task({ title: 'b' })), new Date())).toBe(false);
    expect(called).toBe(false);
  });
});

describe('the dashboard figures', () => {
  it('are the last 30 UTC days, oldest first, ending today', () => {
    const days = lastDays(new Date('2026-03-01T00:30:00+02:00')); // 2026-02-28T22:30Z
    expect(days).toHaveLength(30);
    expect(days[29]).toBe('2026-02-28');
    expect(days[0]).toBe('2026-01-30');
    expect([...days].sort()).toEqual(days);
  });

  it('zero-fill the days without counts, never show a negative counter, and list every DLQ', async () => {
    const now = new Date('2026-03-15T12:00:00.000Z');
    let asked: readonly string[] = [];
    const stored: StoredStats = {
      days: { '2026-03-15': { created: 4, completed: 1 }, '2026-02-14': { created: 2, completed: 0 } },
      open: { low: 3, medium: -1, high: 0, urgent: 2 },
      notificationsSent: 7,
      emailsSent: 5,
    };
    const stats = await getStats(
      { stats: { read: async (days) => ((asked = days), stored) }, dlqDepths: async () => [{ name: 'taskwell-audit-dlq', messages: 2 }] },
      now,
    );
    expect(asked).toEqual(lastDays(now));
    expect(stats.generatedAt).toBe(now.toISOString());
    expect(stats.days).toHaveLength(30);
    expect(stats.days[0]).toEqual({ date: '2026-02-14', created: 2, completed: 0 });
    expect(stats.days[29]).toEqual({ date: '2026-03-15', created: 4, completed: 1 });
    expect(stats.days.slice(1, 29).every((d) => d.created === 0 && d.completed === 0)).toBe(true);
    expect(stats.openByPriority).toEqual({ low: 3, medium: 0, high: 0, urgent: 2 });
    expect(stats).toMatchObject({ overdue: 0, notificationsSent: 7, emailsSent: 5, dlqs: [{ name: 'taskwell-audit-dlq', messages: 2 }] });
  });
});
