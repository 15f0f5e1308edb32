import { http } from '#shared/http/handler';
import { PageQuery, ProjectParams } from '#shared/schemas/project';
import { listMembers } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';

export const handler = http({ params: ProjectParams, query: PageQuery }, async ({ params, query, caller }) => {
  const page = await listMembers(projectStore, caller, params.projectId, query);
  return { status: 200, body: page };
});
