import { http } from '#shared/http/handler';
import { ConfirmInput } from '#shared/schemas/auth';
import { confirmRegistration } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { userStore } from '#shared/store/user-store';

export const handler = http({ body: ConfirmInput, auth: 'none' }, async ({ body, requestId }) => {
  const confirmation = await confirmRegistration({ identity: cognitoIdentity, users: userStore }, body, requestId);
  return { status: 200, body: confirmation };
});
