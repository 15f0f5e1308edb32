import { http } from '#shared/http/handler';
import { UsersQuery } from '#shared/schemas/admin';
import { searchUsers } from '#shared/domain/admin';
import { adminUserStore } from '#shared/store/admin-user-store';

export const handler = http({ query: UsersQuery, auth: 'admin' }, async ({ query }) => ({ status: 200, body: await searchUsers(adminUserStore, query) }));
