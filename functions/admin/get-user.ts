import { http } from '#shared/http/handler';
import { UserParams } from '#shared/schemas/admin';
import { getUserDetail } from '#shared/domain/admin';
import { adminUserStore } from '#shared/store/admin-user-store';
import { cognitoDirectory } from '#shared/store/admin-directory';

export const handler = http({ params: UserParams, auth: 'admin' }, async ({ params }) => ({
  status: 200,
  body: await getUserDetail({ users: adminUserStore, directory: cognitoDirectory }, params.userId),
}));
