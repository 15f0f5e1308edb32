// Audit queue consumer: one immutable audit record per domain event (a redelivered event writes nothing).
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { domainEventConsumer } from '#shared/events/consumer';
import { recordEvent } from '#shared/domain/audit';
import { auditStore } from '#shared/store/audit-store';
import { metrics } from '#shared/observability/powertools';

export const handler = domainEventConsumer(async (event) => {
  if (await recordEvent(auditStore, event, new Date())) metrics.addMetric('AuditRecordsWritten', MetricUnit.Count, 1);
});
