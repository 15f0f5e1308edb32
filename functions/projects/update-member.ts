import { http } from '#shared/http/handler';
import { etag, expectedVersion } from '#shared/http/versions';
import { MemberParams, UpdateMemberInput } from '#shared/schemas/project';
import { changeOf, updateMember } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';

export const handler = http({ body: UpdateMemberInput, params: MemberParams }, async ({ body, params, caller, requestId, ifMatch }) => {
  const member = await updateMember(
    projectStore,
    caller,
    params.projectId,
    params.userId,
    { role: body.role },
    expectedVersion(ifMatch, body.version),
    changeOf(caller, requestId),
  );
  return { status: 200, body: member, headers: { etag: etag(member.version) } };
});
