// Module-scope Powertools instances, shared by every function in a bundle.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'taskwell' });

/**
 * Logs carry API Gateway's request id as the correlation id. Set directly rather than with
 * `correlationIdPath`, which needs the JMESPath engine (~23 KB of every bundle) for one property.
 */
export const correlationId = () => ({
  before: async (request: { event?: { requestContext?: { requestId?: string } } }) => {
    const requestId = request.event?.requestContext?.requestId;
    if (requestId) logger.setCorrelationId(requestId);
  },
});
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Taskwell',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'taskwell',
});

let coldStart = true;
/**
 * Flushes EMF metrics after each invocation (also on error), plus a ColdStart metric once.
 * Unlike Powertools' logMetrics, it stays quiet when a request recorded no business metric.
 */
export const flushMetrics = () => {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: async (request: { context?: { functionName?: string } }) => {
      if (coldStart) {
        coldStart = false;
        metrics.captureColdStartMetric(request.context?.functionName);
      }
    },
    after: flush,
    onError: flush,
  };
};
