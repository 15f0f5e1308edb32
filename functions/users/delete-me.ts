import { http } from '#shared/http/handler';
import { DeleteAccountInput } from '#shared/schemas/account';
import { deleteAccount } from '#shared/domain/account';
import { selfChange } from '#shared/domain/users';
import { cognitoAccounts, cognitoReauthentication } from '#shared/auth/cognito';
import { accountStore } from '#shared/store/account-store';

export const handler = http({ body: DeleteAccountInput }, async ({ body, caller, requestId }) => {
  await deleteAccount(
    { data: accountStore, accounts: cognitoAccounts, reauth: cognitoReauthentication },
    caller.userId,
    { email: caller.email, password: body.password },
    selfChange(caller.userId, requestId),
  );
  return { status: 204 };
});
