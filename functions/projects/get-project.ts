import { http } from '#shared/http/handler';
import { etag } from '#shared/http/versions';
import { ProjectParams } from '#shared/schemas/project';
import { getProject } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';

export const handler = http({ params: ProjectParams }, async ({ params, caller }) => {
  const project = await getProject(projectStore, caller, params.projectId);
  return { status: 200, body: project, headers: { etag: etag(project.version) } };
});
