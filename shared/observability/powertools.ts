// Module-scope Powertools instances, shared by every function in a bundle.
import { Logger } from '@aws-lambda-powertools/logger';
import { search } from '@aws-lambda-powertools/logger/correlationId';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'taskwell', correlationIdSearchFn: search });
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
