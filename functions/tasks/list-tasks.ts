import { http } from '#shared/http/handler';
import { ListTasksQuery } from '#shared/schemas/task';
import { listTasks } from '#shared/domain/tasks';
import { taskPorts } from '#shared/store/task-store';

export const handler = http({ query: ListTasksQuery }, async ({ query, caller }) => {
  const page = await listTasks(taskPorts, caller, query);
  return { status: 200, body: page };
});
