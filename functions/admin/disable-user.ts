import { http } from '#shared/http/handler';
import { NoBody, UserParams } from '#shared/schemas/admin';
import { disableUser } from '#shared/domain/admin';
import { adminUserStore } from '#shared/store/admin-user-store';
import { cognitoDirectory } from '#shared/store/admin-directory';
import { sessionStore } from '#shared/store/session-store';

export const handler = http({ params: UserParams, body: NoBody, auth: 'admin' }, async ({ params, caller, requestId }) => ({
  status: 200,
  body: await disableUser({ users: adminUserStore, directory: cognitoDirectory, sessions: sessionStore }, caller.userId, params.userId, requestId, new Date()),
}));
