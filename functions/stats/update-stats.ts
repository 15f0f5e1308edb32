// Stats queue consumer: keeps the admin dashboard's counters, counting each task event once however often it is
// delivered (shared/domain/stats.ts says which counters an event moves; shared/store/stats-store.ts writes them and
// the event's marker in one transaction).
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { domainEventConsumer } from '#shared/events/consumer';
import { countEvent } from '#shared/domain/stats';
import { statsStore } from '#shared/store/stats-store';
import { metrics } from '#shared/observability/powertools';

// The batch's records are handled in parallel, and every transaction of a batch touches the same few counter items
// (the day, the open tasks): one at a time, they do not collide with each other.
let tail: Promise<unknown> = Promise.resolve();
const oneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
};

export const handler = domainEventConsumer(async (event) => {
  if (await oneAtATime(() => countEvent(statsStore, event, new Date()))) metrics.addMetric('StatsEventsCounted', MetricUnit.Count, 1);
});
