import { http } from '#shared/http/handler';
import { NoBody, UserParams } from '#shared/schemas/admin';
import { setAdminRole } from '#shared/domain/admin';
import { adminUserStore } from '#shared/store/admin-user-store';
import { cognitoDirectory } from '#shared/store/admin-directory';

export const handler = http({ params: UserParams, body: NoBody, auth: 'admin' }, async ({ params, caller, requestId }) => ({
  status: 200,
  body: await setAdminRole({ users: adminUserStore, directory: cognitoDirectory }, caller.userId, params.userId, false, requestId, new Date()),
}));
