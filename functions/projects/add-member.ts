import { http } from '#shared/http/handler';
import { etag } from '#shared/http/versions';
import { AddMemberInput, ProjectParams } from '#shared/schemas/project';
import { addMember, changeOf } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';
import { userStore } from '#shared/store/user-store';

export const handler = http({ body: AddMemberInput, params: ProjectParams }, async ({ body, params, caller, requestId }) => {
  const member = await addMember({ projects: projectStore, users: userStore }, caller, params.projectId, body, changeOf(caller, requestId));
  return {
    status: 201,
    body: member,
    headers: { etag: etag(member.version), location: `/v1/projects/${member.projectId}/members/${member.userId}` },
  };
});
