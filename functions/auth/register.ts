import { http } from '#shared/http/handler';
import { RegisterInput } from '#shared/schemas/auth';
import { register } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { sesAccountNotices } from '#shared/email/account-notices';
import { userStore } from '#shared/store/user-store';
import { noticeLedger } from '#shared/store/notice-ledger-store';

export const handler = http({ body: RegisterInput, auth: 'none' }, async ({ body }) => {
  const accepted = await register({ identity: cognitoIdentity, users: userStore, notices: sesAccountNotices, ledger: noticeLedger }, body);
  return { status: 202, body: accepted };
});
