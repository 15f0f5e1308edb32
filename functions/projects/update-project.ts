import { http } from '#shared/http/handler';
import { etag, expectedVersion } from '#shared/http/versions';
import { ProjectParams, UpdateProjectInput } from '#shared/schemas/project';
import { changeOf, updateProject } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';

export const handler = http({ body: UpdateProjectInput, params: ProjectParams }, async ({ body, params, caller, requestId, ifMatch }) => {
  const { version, ...patch } = body;
  const project = await updateProject(projectStore, caller, params.projectId, patch, expectedVersion(ifMatch, version), changeOf(caller, requestId));
  return { status: 200, body: project, headers: { etag: etag(project.version) } };
});
