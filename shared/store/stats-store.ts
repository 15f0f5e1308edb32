// The admin dashboard's counters on the single table (docs/data-model.md, "Admin stats"):
//   STATS / DAY#<yyyy-mm-dd>           created, completed          one item per UTC day (ADD)
//   STATS / OPEN_TASKS                 low, medium, high, urgent    open tasks by priority (ADD +1/−1), and overdue
//   STATS / DELIVERIES                 notificationsSent, emailsSent  totals (ADD, by the notification side)
//   STATSEVENT#<eventId> / STATSEVENT  the marker of a counted event (TTL expiresAt)
// An event's counts and its marker are written in ONE TransactWriteItems whose marker Put is conditioned on absence:
// a redelivered event cancels the whole transaction and counts nothing; a counted one always has its marker.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TASK_PRIORITIES } from '#shared/domain/model';
import type { DayCounts, OpenByPriority, StatsDelta, StatsStorePort, StoredStats } from '#shared/domain/stats';
import { documentClient, tableName } from '#shared/store/client';
import { batchGetItems } from '#shared/store/batch-get';
import { keys } from '#shared/store/keys';

export const STATS_DAY_ENTITY = 'StatsDay';
export const STATS_OPEN_TASKS_ENTITY = 'StatsOpenTasks';
export const STATS_DELIVERIES_ENTITY = 'StatsDeliveries';
export const STATS_EVENT_ENTITY = 'StatsEvent';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/** Transactions on the same counter items can collide (TransactionConflict); a few quick retries settle it. */
const MAX_TRANSACTION_ATTEMPTS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** 20, 40, 80 … ms, with full jitter so that colliding writers spread out. */
const backoff = (attempt: number) => sleep(Math.random() * 20 * 2 ** attempt);

/** An UpdateItem (as a transaction item) adding `counts` to the counters of `key`, creating the item if needed. */
const addTo = (key: Key, entity: string, counts: Record<string, number>, set: Record<string, unknown> = {}) => {
  const names: Record<string, string> = { '#entity': 'entity' };
  const values: Record<string, unknown> = { ':entity': entity };
  const adds = Object.entries(counts).map(([field, n], i) => {
    names[`#c${i}`] = field;
    values[`:c${i}`] = n;
    return `#c${i} :c${i}`;
  });
  const sets = ['#entity = :entity'];
  Object.entries(set).forEach(([field, value], i) => {
    names[`#s${i}`] = field;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
};

/** The marker was already there: the first item's condition failed. */
const alreadyCounted = (error: unknown): boolean =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';

const collided = (error: unknown): boolean =>
  (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict')) ||
  (error as Error)?.name === 'TransactionConflictException';

const apply = async (eventId: string, delta: StatsDelta, markerExpiresAt: number): Promise<boolean> => {
  const items: object[] = [
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.statsEvent(eventId), entity: STATS_EVENT_ENTITY, day: delta.day, expiresAt: markerExpiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  const day: Record<string, number> = {};
  if (delta.created) day.created = delta.created;
  if (delta.completed) day.completed = delta.completed;
  if (Object.keys(day).length > 0) items.push(addTo(keys.statsDay(delta.day), STATS_DAY_ENTITY, day, { day: delta.day }));
  const open = Object.fromEntries(Object.entries(delta.open).filter(([, n]) => n !== 0)) as Record<string, number>;
  if (delta.overdue) open.overdue = delta.overdue;
  if (Object.keys(open).length > 0) items.push(addTo(keys.statsOpenTasks(), STATS_OPEN_TASKS_ENTITY, open));
  if (items.length === 1) return false; // nothing to count: no marker either

  for (let attempt = 1; ; attempt++) {
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
      return true;
    } catch (error) {
      if (alreadyCounted(error)) return false;
      if (collided(error) && attempt < MAX_TRANSACTION_ATTEMPTS) {
        await backoff(attempt);
        continue;
      }
      throw error;
    }
  }
};

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** One BatchGetItem of the days' items, the open-task counters and the delivery totals (≤ 100 keys). */
const read = async (days: readonly string[]): Promise<StoredStats> => {
  if (days.length > 98) throw new Error('at most 98 days per read (BatchGetItem takes 100 keys)');
  const openKey = keys.statsOpenTasks();
  const deliveriesKey = keys.statsDeliveries();
  // Eventually consistent: counters are approximate by nature.
  const items = await batchGetItems([...days.map((d) => keys.statsDay(d)), openKey, deliveriesKey], { consistent: false });
  const find = (key: Key) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
  const open = find(openKey) ?? {};
  const deliveries = find(deliveriesKey) ?? {};
  const byDay: Record<string, DayCounts> = {};
  for (const day of days) {
    const item = find(keys.statsDay(day));
    if (item) byDay[day] = { created: num(item.created), completed: num(item.completed) };
  }
  return {
    days: byDay,
    open: Object.fromEntries(TASK_PRIORITIES.map((p) => [p, num(open[p])])) as OpenByPriority,
    overdue: num(open.overdue),
    notificationsSent: num(deliveries.notificationsSent),
    emailsSent: num(deliveries.emailsSent),
  };
};

export const statsStore: StatsStorePort = { apply, read };

/**
 * For the notification side (shared/store/notification-store.ts): the transaction item that adds to the delivery
 * totals. Put it in the same TransactWriteItems as the write that makes the fact true — the conditional Put of a
 * notification (notificationsSent) and the `sending → sent` update of its email (emailsSent) — so a redelivery,
 * whose condition fails, counts nothing, and nothing counted is ever lost.
 */
export const deliveryCounterUpdate = (counts: { notificationsSent?: number; emailsSent?: number }) => {
  const adds = Object.fromEntries(Object.entries(counts).filter(([, n]) => typeof n === 'number' && n !== 0)) as Record<string, number>;
  if (Object.keys(adds).length === 0) throw new Error('deliveryCounterUpdate needs a non-zero count');
  return addTo(keys.statsDeliveries(), STATS_DELIVERIES_ENTITY, adds);
};
