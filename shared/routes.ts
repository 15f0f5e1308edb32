// The route table: declared once, read by the CDK stateless stack (lib/) and the local runtime (local/).
// Add a route here and it exists in AWS and under `npm start` alike.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route. `user` and `admin` go through the Lambda authorizer. */
export type RouteAuth = 'none' | 'user' | 'admin';

/** What a route's function touches; the function construct grants exactly this. */
export interface RouteGrants {
  /** Single-table access. */
  table?: 'read' | 'readwrite';
  /** Cognito user-pool admin actions (IAM action names without the `cognito-idp:` prefix). */
  userPool?: readonly string[];
  /** Send email through SES as the configured sender identity (ses:SendEmail on that identity only). */
  email?: boolean;
  /** Start and stop executions of the reminder state machine (states:StartExecution / StopExecution on it only). */
  reminders?: 'schedule';
  /**
   * The deployment's dead-letter queues (shared/ops/dlq-catalogue.ts), named exactly: `count` reads their depths,
   * `read` also their messages (without consuming them), `redrive` moves queue and rule-targets DLQ messages back
   * to the event queues. The function gets QUEUE_PREFIX.
   */
  dlqs?: 'count' | 'read' | 'redrive';
}

export interface RouteDef {
  method: HttpMethod;
  /** API Gateway path syntax: `/v1/tasks/{taskId}`. */
  path: string;
  /** Module (from the repo root) exporting `handler`. */
  handler: string;
  auth: RouteAuth;
  grants: RouteGrants;
  summary: string;
}

const route = (method: HttpMethod, path: string, handler: string, auth: RouteAuth, grants: RouteGrants, summary: string): RouteDef => ({
  method,
  path,
  handler: `functions/${handler}.ts`,
  auth,
  grants,
  summary,
});

const read = { table: 'read' } as const;
const write = { table: 'readwrite' } as const;

export const routes: readonly RouteDef[] = [
  route('GET', '/v1/health', 'health/get-health', 'none', {}, 'Liveness check'),
  route('GET', '/v1/openapi.json', 'openapi/get-openapi', 'none', {}, 'The OpenAPI 3.1 document of this API'),

  route('POST', '/v1/auth/register', 'auth/register', 'none', { table: 'readwrite', userPool: ['AdminGetUser', 'AdminDeleteUser'], email: true }, 'Sign up (emails a confirmation code; the same answer for every address)'),
  route('POST', '/v1/auth/confirm', 'auth/confirm-registration', 'none', { table: 'readwrite', userPool: ['AdminGetUser'] }, 'Confirm a sign-up with the emailed code (creates the profile)'),
  route('POST', '/v1/auth/login', 'auth/login', 'none', write, 'Exchange email and password for tokens (locked after repeated failures)'),
  route('POST', '/v1/auth/refresh', 'auth/refresh-session', 'none', read, 'Exchange a refresh token for new access and ID tokens'),
  route('POST', '/v1/auth/logout', 'auth/logout', 'none', write, 'End the session of a refresh token'),
  route('POST', '/v1/auth/logout-all', 'auth/logout-all', 'user', { table: 'readwrite', userPool: ['AdminUserGlobalSignOut'] }, 'End every session of the caller, this one included'),
  route('POST', '/v1/auth/resend-code', 'auth/resend-code', 'none', { userPool: ['AdminGetUser'] }, 'Email a new sign-up code (the same answer for every address)'),
  route('POST', '/v1/auth/forgot-password', 'auth/forgot-password', 'none', { userPool: ['AdminGetUser'] }, 'Email a password-reset code (the same answer for every address)'),
  route('POST', '/v1/auth/reset-password', 'auth/reset-password', 'none', { table: 'readwrite', userPool: ['AdminGetUser', 'AdminUserGlobalSignOut'] }, 'Set a new password with the emailed code; ends every session'),
  route('POST', '/v1/me/password', 'auth/change-password', 'user', write, 'Change my password; ends every other session'),
  route('POST', '/v1/auth/login/mfa', 'auth/login-mfa', 'none', write, 'Answer a login\'s TOTP challenge with a current code, for tokens'),

  route('GET', '/v1/me', 'users/get-me', 'user', read, 'My profile'),
  route('PATCH', '/v1/me', 'users/update-me', 'user', write, 'Change my name or timezone'),
  // Authenticator-app MFA: Cognito authorises these with the caller's own access token (no IAM action to grant).
  route('GET', '/v1/me/mfa', 'users/get-mfa', 'user', {}, 'Whether sign-in asks for a code from my authenticator app'),
  route('POST', '/v1/me/mfa/totp', 'users/enrol-totp', 'user', {}, 'Start enrolling an authenticator app: a secret and its otpauth:// URI'),
  route('POST', '/v1/me/mfa/totp/verify', 'users/verify-totp', 'user', write, 'Prove the app holds the secret with a current code: MFA is on'),
  route('DELETE', '/v1/me/mfa/totp', 'users/disable-totp', 'user', write, 'Switch MFA off, confirmed by my password and a current code'),
  route('GET', '/v1/me/export', 'users/export-me', 'user', read, 'Everything I own or wrote, as JSON'),
  route('DELETE', '/v1/me', 'users/delete-me', 'user', { table: 'readwrite', userPool: ['AdminGetUser', 'AdminDeleteUser'] }, 'Delete my account and my data (password required)'),

  route('POST', '/v1/projects', 'projects/create-project', 'user', write, 'Create a project; the caller becomes its owner'),
  route('GET', '/v1/projects', 'projects/list-projects', 'user', read, 'Projects I belong to'),
  route('GET', '/v1/projects/{projectId}', 'projects/get-project', 'user', read, 'One project'),
  route('PATCH', '/v1/projects/{projectId}', 'projects/update-project', 'user', write, 'Rename or describe a project (owners)'),
  route('DELETE', '/v1/projects/{projectId}', 'projects/delete-project', 'user', write, 'Delete a project (owners)'),
  route('GET', '/v1/projects/{projectId}/members', 'projects/list-members', 'user', read, 'Members of a project'),
  route('POST', '/v1/projects/{projectId}/members', 'projects/add-member', 'user', write, 'Add a member by email (owners)'),
  route('PATCH', '/v1/projects/{projectId}/members/{userId}', 'projects/update-member', 'user', write, "Change a member's role (owners)"),
  route('DELETE', '/v1/projects/{projectId}/members/{userId}', 'projects/remove-member', 'user', write, 'Remove a member, or leave'),

  route('POST', '/v1/tasks', 'tasks/create-task', 'user', write, 'Create a task'),
  route('GET', '/v1/tasks', 'tasks/list-tasks', 'user', read, 'List tasks with filters'),
  route('GET', '/v1/tasks/{taskId}', 'tasks/get-task', 'user', read, 'One task'),
  route('PATCH', '/v1/tasks/{taskId}', 'tasks/update-task', 'user', write, 'Change a task'),
  route('DELETE', '/v1/tasks/{taskId}', 'tasks/delete-task', 'user', write, 'Move a task to the trash (restorable for 30 days)'),
  route('POST', '/v1/tasks/{taskId}/restore', 'tasks/restore-task', 'user', write, 'Bring a task back from the trash'),

  route('GET', '/v1/notifications', 'notifications/list-notifications', 'user', read, 'My notifications, newest first'),
  route('POST', '/v1/notifications/read-all', 'notifications/mark-all-notifications-read', 'user', write, 'Mark all my notifications read'),
  route('POST', '/v1/notifications/{notificationId}/read', 'notifications/mark-notification-read', 'user', write, 'Mark one notification read'),
  route('GET', '/v1/me/notification-settings', 'notifications/get-notification-settings', 'user', read, 'Which events email me'),
  route('PUT', '/v1/me/notification-settings', 'notifications/update-notification-settings', 'user', write, 'Turn email on or off per event type'),

  route('GET', '/v1/admin/audit', 'audit/list-audit-records', 'admin', read, 'Search the audit log (admins)'),

  // Admin API: every route is for the admins group; the console (console/) is its client.
  route('GET', '/v1/admin/stats', 'admin/get-stats', 'admin', { table: 'read', dlqs: 'count' }, 'Dashboard figures: tasks per day, open tasks by priority, deliveries, DLQ depths (admins)'),
  route('GET', '/v1/admin/users', 'admin/search-users', 'admin', read, 'Search users by email prefix (admins)'),
  route('GET', '/v1/admin/users/{userId}', 'admin/get-user', 'admin', read, "A user's profile, projects and task counts (admins)"),
  route('POST', '/v1/admin/users/{userId}/disable', 'admin/disable-user', 'admin', { table: 'readwrite', userPool: ['AdminDisableUser', 'AdminUserGlobalSignOut'] }, 'Disable a user and revoke their sessions (admins)'),
  route('POST', '/v1/admin/users/{userId}/enable', 'admin/enable-user', 'admin', { table: 'readwrite', userPool: ['AdminEnableUser'] }, 'Enable a disabled user (admins)'),
  route('PUT', '/v1/admin/users/{userId}/admin', 'admin/grant-admin', 'admin', { table: 'readwrite', userPool: ['AdminAddUserToGroup'] }, 'Make a user an admin (admins)'),
  route('DELETE', '/v1/admin/users/{userId}/admin', 'admin/revoke-admin', 'admin', { table: 'readwrite', userPool: ['AdminRemoveUserFromGroup'] }, "Revoke a user's admin role (admins)"),
  route('GET', '/v1/admin/dlqs', 'admin/list-dlqs', 'admin', { dlqs: 'count' }, 'Every dead-letter queue with its depth (admins)'),
  route('GET', '/v1/admin/dlqs/{name}/messages', 'admin/list-dlq-messages', 'admin', { dlqs: 'read' }, "A DLQ's messages, read without consuming them (admins)"),
  route('POST', '/v1/admin/dlqs/{name}/redrive', 'admin/redrive-dlq', 'admin', { dlqs: 'redrive' }, "Move a DLQ's messages back to their queues (admins)"),
];

/** The Lambda authorizer that guards every route whose auth is not `none`. */
export const authorizer = {
  handler: 'functions/auth/authorizer.ts',
  /** Reads profiles and sessions; writes the request counters. */
  grants: { table: 'readwrite' } as RouteGrants,
};

/** A stable function name for a handler path: `functions/tasks/create-task.ts` → `tasks-create-task`. */
export const functionId = (handlerPath: string): string =>
  handlerPath.replace(/^functions\//, '').replace(/\.ts$/, '').replaceAll('/', '-');
