import { http } from '#shared/http/handler';
import { etag, expectedVersion } from '#shared/http/versions';
import { TaskParams, UpdateTaskInput } from '#shared/schemas/task';
import { changeOf } from '#shared/domain/projects';
import { justCompleted, updateTask } from '#shared/domain/tasks';
import { taskPorts } from '#shared/store/task-store';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '#shared/observability/powertools';

export const handler = http({ body: UpdateTaskInput, params: TaskParams }, async ({ body, params, caller, requestId, ifMatch }) => {
  const { version, ...patch } = body;
  const task = await updateTask(taskPorts, caller, params.taskId, patch, expectedVersion(ifMatch, version), changeOf(caller, requestId));
  if (justCompleted(task)) metrics.addMetric('TasksCompleted', MetricUnit.Count, 1);
  return { status: 200, body: task, headers: { etag: etag(task.version) } };
});
