import { http } from '#shared/http/handler';
import { TaskParams } from '#shared/schemas/task';
import { changeOf } from '#shared/domain/projects';
import { deleteTask } from '#shared/domain/tasks';
import { taskPorts } from '#shared/store/task-store';

/** Soft delete: the task goes to the trash (POST /v1/tasks/{taskId}/restore within 30 days). If-Match is optional. */
export const handler = http({ params: TaskParams }, async ({ params, caller, requestId, ifMatch }) => {
  await deleteTask(taskPorts, caller, params.taskId, ifMatch, changeOf(caller, requestId));
  return { status: 204 };
});
