import { http } from '#shared/http/handler';
import { RegisterInput } from '#shared/schemas/auth';
import { register } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { userStore } from '#shared/store/user-store';

export const handler = http({ body: RegisterInput, auth: 'none' }, async ({ body, requestId }) => {
  const registration = await register({ identity: cognitoIdentity, users: userStore }, body, requestId);
  return { status: 201, body: registration };
});
