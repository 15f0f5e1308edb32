import { http } from '#shared/http/handler';
import { ProjectParams } from '#shared/schemas/project';
import { changeOf, deleteProject } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';

// If-Match is optional here: with it, deleting a changed project is a 409.
export const handler = http({ params: ProjectParams }, async ({ params, caller, requestId, ifMatch }) => {
  await deleteProject(projectStore, caller, params.projectId, ifMatch, changeOf(caller, requestId));
  return { status: 204 };
});
