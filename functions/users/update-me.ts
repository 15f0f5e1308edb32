import { http } from '#shared/http/handler';
import { etag, expectedVersion } from '#shared/http/versions';
import { UpdateMeInput } from '#shared/schemas/user';
import { selfChange, updateMe } from '#shared/domain/users';
import { userStore } from '#shared/store/user-store';

export const handler = http({ body: UpdateMeInput }, async ({ body, caller, requestId, ifMatch }) => {
  const { version, ...patch } = body;
  const profile = await updateMe(userStore, caller.userId, patch, expectedVersion(ifMatch, version), selfChange(caller.userId, requestId));
  return { status: 200, body: profile, headers: { etag: etag(profile.version) } };
});
