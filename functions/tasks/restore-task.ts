import { http } from '#shared/http/handler';
import { etag } from '#shared/http/versions';
import { TaskParams } from '#shared/schemas/task';
import { changeOf } from '#shared/domain/projects';
import { restoreTask } from '#shared/domain/tasks';
import { taskPorts } from '#shared/store/task-store';

/** Brings a task back from the trash (within 30 days). If-Match (the trashed version) is optional. */
export const handler = http({ params: TaskParams }, async ({ params, caller, requestId, ifMatch }) => {
  const task = await restoreTask(taskPorts, caller, params.taskId, ifMatch, changeOf(caller, requestId));
  return { status: 200, body: task, headers: { etag: etag(task.version) } };
});
