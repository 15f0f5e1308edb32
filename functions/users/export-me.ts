import { http } from '#shared/http/handler';
import { exportAccount } from '#shared/domain/account';
import { accountStore } from '#shared/store/account-store';

export const handler = http({}, async ({ caller }) => {
  const data = await exportAccount(accountStore, caller.userId, new Date());
  return {
    status: 200,
    body: data,
    headers: { 'cache-control': 'no-store', 'content-disposition': 'attachment; filename="taskwell-export.json"' },
  };
});
