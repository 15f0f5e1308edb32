import { http } from '#shared/http/handler';
import { MemberParams } from '#shared/schemas/project';
import { changeOf, removeMember } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';

// Owners remove anyone; every member may remove themselves (leave). The last owner cannot.
export const handler = http({ params: MemberParams }, async ({ params, caller, requestId }) => {
  await removeMember(projectStore, caller, params.projectId, params.userId, changeOf(caller, requestId));
  return { status: 204 };
});
