import { http } from '#shared/http/handler';
import { PageQuery } from '#shared/schemas/project';
import { listMyProjects } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';

export const handler = http({ query: PageQuery }, async ({ query, caller }) => {
  const page = await listMyProjects(projectStore, caller, query);
  return { status: 200, body: page };
});
