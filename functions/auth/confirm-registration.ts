import { http } from '#shared/http/handler';
import { ConfirmInput } from '#shared/schemas/auth';
import { confirmRegistration } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';

export const handler = http({ body: ConfirmInput, auth: 'none' }, async ({ body }) => {
  const confirmation = await confirmRegistration({ identity: cognitoIdentity }, body);
  return { status: 200, body: confirmation };
});
