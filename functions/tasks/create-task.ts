import { http } from '#shared/http/handler';
import { idempotency } from '#shared/http/idempotency';
import { etag } from '#shared/http/versions';
import { CreateTaskInput } from '#shared/schemas/task';
import { changeOf } from '#shared/domain/projects';
import { createTask, justCompleted } from '#shared/domain/tasks';
import { taskPorts } from '#shared/store/task-store';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '#shared/observability/powertools';

export const handler = http({ body: CreateTaskInput, use: [idempotency('create-task')] }, async ({ body, caller, requestId }) => {
  const task = await createTask(taskPorts, caller, body, changeOf(caller, requestId));
  metrics.addMetric('TasksCreated', MetricUnit.Count, 1);
  if (justCompleted(task)) metrics.addMetric('TasksCompleted', MetricUnit.Count, 1);
  return { status: 201, body: task, headers: { etag: etag(task.version), location: `/v1/tasks/${task.id}` } };
});
