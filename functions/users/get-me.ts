import { http } from '#shared/http/handler';
import { etag } from '#shared/http/versions';
import { getMe } from '#shared/domain/users';
import { userStore } from '#shared/store/user-store';

export const handler = http({}, async ({ caller }) => {
  const profile = await getMe(userStore, caller.userId);
  return { status: 200, body: profile, headers: { etag: etag(profile.version) } };
});
