import { http } from '#shared/http/handler';
import { logoutEverywhere } from '#shared/domain/users';
import { sessionStore } from '#shared/store/session-store';
import { cognitoDirectory } from '#shared/store/admin-directory';

export const handler = http({}, async ({ caller }) => {
  await logoutEverywhere({ sessions: sessionStore, directory: cognitoDirectory }, caller.userId);
  return { status: 204 };
});
