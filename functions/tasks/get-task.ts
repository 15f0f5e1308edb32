import { http } from '#shared/http/handler';
import { etag } from '#shared/http/versions';
import { TaskParams } from '#shared/schemas/task';
import { getTask } from '#shared/domain/tasks';
import { taskPorts } from '#shared/store/task-store';

export const handler = http({ params: TaskParams }, async ({ params, caller }) => {
  const task = await getTask(taskPorts, caller, params.taskId);
  return { status: 200, body: task, headers: { etag: etag(task.version) } };
});
