// Module-scope Powertools instances, shared by every function in a bundle.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'taskwell' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Taskwell',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'taskwell',
});
