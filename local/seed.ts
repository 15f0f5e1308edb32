// The demo accounts of the local stack, created through the real API routes (register → confirm →
// login) so that everything a real sign-up creates exists; the admin joins `admins` through the
// Cognito admin API. Idempotent: on a restart, accounts that exist are left alone.
import { AdminAddUserToGroupCommand, AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ADMIN_GROUP } from '#shared/http/caller';
import { localCognitoClient } from '#local/cognito';

export const DEFAULT_DEMO_PASSWORD = 'Taskwell-demo-1';

export interface DemoAccount {
  email: string;
  name: string;
  admin: boolean;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'admin@example.com', name: 'Demo Admin', admin: true },
  { email: 'user@example.com', name: 'Demo User', admin: false },
];

export interface SeedOptions {
  apiUrl: string;
  cognitoEndpoint: string;
  userPoolId: string;
  password: string;
  confirmationCode: string;
}

const post = async (apiUrl: string, path: string, body: unknown) => {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text };
};

const userStatus = async (client: ReturnType<typeof localCognitoClient>, userPoolId: string, email: string): Promise<string | undefined> => {
  try {
    const user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    return user.UserStatus;
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return undefined;
    throw error;
  }
};

/** Seeds the demo accounts; returns what could not be done (empty when all is well). */
export const seedDemoAccounts = async (options: SeedOptions): Promise<string[]> => {
  const problems: string[] = [];
  const client = localCognitoClient(options.cognitoEndpoint);
  try {
    for (const account of DEMO_ACCOUNTS) {
      const status = await userStatus(client, options.userPoolId, account.email);
      if (status === undefined) {
        const registered = await post(options.apiUrl, '/v1/auth/register', { email: account.email, password: options.password, name: account.name });
        if (registered.status >= 300) {
          problems.push(`${account.email}: POST /v1/auth/register answered ${registered.status} ${registered.text.slice(0, 200)}`);
          continue;
        }
      }
      if (status !== 'CONFIRMED') {
        const confirmed = await post(options.apiUrl, '/v1/auth/confirm', { email: account.email, code: options.confirmationCode });
        if (confirmed.status >= 300) {
          problems.push(`${account.email}: POST /v1/auth/confirm answered ${confirmed.status} ${confirmed.text.slice(0, 200)}`);
          continue;
        }
      }
      if (account.admin) {
        await client.send(new AdminAddUserToGroupCommand({ UserPoolId: options.userPoolId, Username: account.email, GroupName: ADMIN_GROUP }));
      }
      if (status !== 'CONFIRMED') {
        // A first login, as a person would do after confirming.
        const login = await post(options.apiUrl, '/v1/auth/login', { email: account.email, password: options.password });
        if (login.status >= 300) problems.push(`${account.email}: POST /v1/auth/login answered ${login.status} ${login.text.slice(0, 200)}`);
      }
    }
  } finally {
    client.destroy();
  }
  return problems;
};
