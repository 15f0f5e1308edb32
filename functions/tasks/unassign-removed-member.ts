// Removed-members queue consumer: when a member leaves or is removed from a project, their open tasks in it become
// unassigned (shared/domain/tasks.ts, unassignRemovedMember), each change recorded under the removal's actor and
// request. Idempotent; a failed message is retried by SQS and resumes where the last run stopped.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { domainEventConsumer } from '#shared/events/consumer';
import { removalOf, unassignRemovedMember } from '#shared/domain/tasks';
import { get, openAssignedIn, replace } from '#shared/store/task-store';
import { access } from '#shared/store/project-store';
import { logger, metrics } from '#shared/observability/powertools';

const ports = { tasks: { get, replace, openAssignedIn }, projects: { access } };

export const handler = domainEventConsumer(async (event) => {
  const removal = removalOf(event, new Date());
  if (!removal) return;
  const { unassigned } = await unassignRemovedMember(ports, removal);
  if (unassigned) metrics.addMetric('TasksUnassigned', MetricUnit.Count, unassigned);
  logger.info('unassigned a removed member', { projectId: removal.projectId, unassigned });
});
