// The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with.
// `operations` says which schemas belong to which route of shared/routes.ts; a unit test checks
// that the two cover each other exactly.
import type { ZodMiniType as ZodType } from 'zod/mini';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { routes, type RouteDef } from '#shared/routes';
import * as task from '#shared/schemas/task';
import * as project from '#shared/schemas/project';
import * as auth from '#shared/schemas/auth';
import * as user from '#shared/schemas/user';
import * as mfa from '#shared/schemas/mfa';
import * as account from '#shared/schemas/account';
import * as notification from '#shared/schemas/notification';
import * as audit from '#shared/schemas/audit';
import * as admin from '#shared/schemas/admin';
import * as z from '#shared/schemas/zod';
import { integer, meta } from '#shared/schemas/helpers';

export interface Operation {
  body?: ZodType;
  params?: ZodType;
  query?: ZodType;
  /** Success status and schema (none for 204). */
  ok: { status: 200 | 201 | 202 | 204; schema?: ZodType; description: string };
  /** Accepts Idempotency-Key. */
  idempotent?: boolean;
  /** Needs If-Match (or body.version); answers an ETag. */
  versioned?: boolean;
  /** Answers an ETag. */
  etag?: boolean;
  /** When the route answers 409 (other than a stale version). */
  conflict?: string;
  /** When the route answers 429 with Retry-After (e.g. a login lock). */
  throttled?: string;
  /** When the route answers 503, and with what. */
  unavailable?: { schema: ZodType; description: string };
}

const Problem = meta(
  z.object({
    type: meta(z.string(), { description: 'A stable URI naming the kind of problem' }),
    title: z.string(),
    status: integer(),
    detail: z.optional(z.string()),
    requestId: z.optional(z.string()),
    errors: meta(z.optional(z.array(z.object({ field: z.string(), message: z.string() }))), { description: 'Field-level validation errors' }),
  }),
  { id: 'Problem', description: 'RFC 9457 problem details' },
);

const Health = meta(z.object({ status: z.literal('ok'), service: z.string(), version: z.string() }), { id: 'Health' });
const HealthStarting = meta(
  z.object({
    status: z.literal('starting'),
    service: z.string(),
    version: z.string(),
    waitingFor: meta(z.array(z.string()), { description: 'What the service is still waiting for, in words' }),
  }),
  { id: 'HealthStarting' },
);

export const operations: Record<string, Operation> = {
  'GET /v1/health': {
    ok: { status: 200, schema: Health, description: 'The service is up and ready' },
    unavailable: { schema: HealthStarting, description: 'Not ready yet (still starting); try again after Retry-After seconds' },
  },
  'GET /v1/openapi.json': { ok: { status: 200, description: 'This document' } },

  'POST /v1/auth/register': {
    body: auth.RegisterInput,
    ok: { status: 202, schema: auth.AcceptedSchema, description: 'The same answer for every address; a new or pending address gets a code, a registered one a notice' },
  },
  'POST /v1/auth/confirm': { body: auth.ConfirmInput, ok: { status: 200, schema: auth.ConfirmationSchema, description: 'Account confirmed (400 invalid-code otherwise, whatever the reason)' } },
  'POST /v1/auth/login': {
    body: auth.LoginInput,
    ok: { status: 200, schema: auth.LoginResultSchema, description: 'Tokens, or a TOTP challenge when the account has MFA on' },
    throttled: 'Too many failed logins for this email (5 in 15 minutes): every login waits out the lock (login-locked)',
  },
  'POST /v1/auth/login/mfa': { body: auth.LoginMfaInput, ok: { status: 200, schema: auth.SessionSchema, description: 'Tokens' } },
  'POST /v1/auth/refresh': { body: auth.RefreshInput, ok: { status: 200, schema: auth.RefreshedSessionSchema, description: 'New access and ID tokens' } },
  'POST /v1/auth/logout': { body: auth.LogoutInput, ok: { status: 204, description: "The refresh token's session is ended and the token revoked" } },
  'POST /v1/auth/logout-all': { ok: { status: 204, description: 'Every session of the caller is ended, this one included' } },
  'POST /v1/auth/resend-code': { body: auth.ResendCodeInput, ok: { status: 202, schema: auth.AcceptedSchema, description: 'The same answer for every address; a pending sign-up gets a new code' } },
  'POST /v1/auth/forgot-password': {
    body: auth.ForgotPasswordInput,
    ok: { status: 202, schema: auth.AcceptedSchema, description: 'The same answer for every address; a confirmed account gets a reset code' },
  },
  'POST /v1/auth/reset-password': {
    body: auth.ResetPasswordInput,
    ok: { status: 204, description: 'The password is changed and every session of the account ended (400 invalid-code otherwise, whatever the reason)' },
  },
  'POST /v1/me/password': {
    body: auth.ChangePasswordInput,
    ok: { status: 204, description: 'The password is changed; every other session of the caller is ended, this one goes on' },
    throttled: 'Too many wrong passwords for this account: the login lock applies',
  },

  'GET /v1/me': { ok: { status: 200, schema: user.UserProfileSchema, description: 'My profile' }, etag: true },
  'PATCH /v1/me': { body: user.UpdateMeInput, ok: { status: 200, schema: user.UserProfileSchema, description: 'The updated profile' }, versioned: true },
  'GET /v1/me/mfa': { ok: { status: 200, schema: mfa.MfaStatusSchema, description: 'My second factors' } },
  'POST /v1/me/mfa/totp': { ok: { status: 200, schema: mfa.TotpEnrolmentSchema, description: 'A new secret; verify a code to switch MFA on' }, conflict: 'An authenticator app is already enabled' },
  'POST /v1/me/mfa/totp/verify': { body: mfa.VerifyTotpInput, ok: { status: 200, schema: mfa.MfaStatusSchema, description: 'MFA is on: login asks for a code' } },
  'GET /v1/me/export': { ok: { status: 200, schema: account.AccountExportSchema, description: 'Everything you own or wrote' } },
  'DELETE /v1/me': { body: account.DeleteAccountInput, ok: { status: 204, description: 'The account and your data are deleted' }, conflict: 'You are the only owner of a project (listed in `projects`): hand it over or delete it first' },
  'DELETE /v1/me/mfa/totp': { body: mfa.DisableTotpInput, ok: { status: 200, schema: mfa.MfaStatusSchema, description: 'MFA is off' } },

  'POST /v1/projects': { body: project.CreateProjectInput, ok: { status: 201, schema: project.ProjectSchema, description: 'The new project' }, idempotent: true },
  'GET /v1/projects': { query: project.PageQuery, ok: { status: 200, schema: project.ProjectPage, description: 'Projects I belong to' } },
  'GET /v1/projects/{projectId}': { params: project.ProjectParams, ok: { status: 200, schema: project.ProjectSchema, description: 'The project' }, etag: true },
  'PATCH /v1/projects/{projectId}': { params: project.ProjectParams, body: project.UpdateProjectInput, ok: { status: 200, schema: project.ProjectSchema, description: 'The updated project' }, versioned: true },
  'DELETE /v1/projects/{projectId}': { params: project.ProjectParams, ok: { status: 204, description: 'The project is deleted' } },
  'GET /v1/projects/{projectId}/members': { params: project.ProjectParams, query: project.PageQuery, ok: { status: 200, schema: project.MemberPage, description: 'Members' } },
  'POST /v1/projects/{projectId}/members': { params: project.ProjectParams, body: project.AddMemberInput, ok: { status: 201, schema: project.MembershipSchema, description: 'The new membership' } },
  'PATCH /v1/projects/{projectId}/members/{userId}': { params: project.MemberParams, body: project.UpdateMemberInput, ok: { status: 200, schema: project.MembershipSchema, description: 'The changed membership' }, versioned: true },
  'DELETE /v1/projects/{projectId}/members/{userId}': { params: project.MemberParams, ok: { status: 204, description: 'The member is removed' } },

  'POST /v1/tasks': { body: task.CreateTaskInput, ok: { status: 201, schema: task.TaskSchema, description: 'The new task' }, idempotent: true },
  'GET /v1/tasks': { query: task.ListTasksQuery, ok: { status: 200, schema: task.TaskPage, description: 'A page of tasks' } },
  'GET /v1/tasks/{taskId}': { params: task.TaskParams, ok: { status: 200, schema: task.TaskSchema, description: 'The task' }, etag: true },
  'PATCH /v1/tasks/{taskId}': { params: task.TaskParams, body: task.UpdateTaskInput, ok: { status: 200, schema: task.TaskSchema, description: 'The updated task' }, versioned: true },
  'DELETE /v1/tasks/{taskId}': { params: task.TaskParams, ok: { status: 204, description: 'The task is in the trash' } },
  'POST /v1/tasks/{taskId}/restore': { params: task.TaskParams, ok: { status: 200, schema: task.TaskSchema, description: 'The restored task' } },

  'GET /v1/notifications': { query: notification.ListNotificationsQuery, ok: { status: 200, schema: notification.NotificationPage, description: 'A page of my notifications, newest first' } },
  'POST /v1/notifications/read-all': { ok: { status: 200, schema: notification.ReadAllResult, description: 'How many were marked read' } },
  'POST /v1/notifications/{notificationId}/read': { params: notification.NotificationParams, ok: { status: 200, schema: notification.NotificationSchema, description: 'The notification, read' } },
  'GET /v1/me/notification-settings': { ok: { status: 200, schema: notification.NotificationSettingsSchema, description: 'My notification settings' }, etag: true },
  'PUT /v1/me/notification-settings': { body: notification.UpdateNotificationSettingsInput, ok: { status: 200, schema: notification.NotificationSettingsSchema, description: 'The saved settings' }, versioned: true },

  'GET /v1/admin/audit': { query: audit.AuditQuery, ok: { status: 200, schema: audit.AuditPage, description: 'Audit records, newest first' } },

  'GET /v1/admin/stats': { ok: { status: 200, schema: admin.AdminStatsSchema, description: 'The dashboard figures' } },
  'GET /v1/admin/users': { query: admin.UsersQuery, ok: { status: 200, schema: admin.UserPage, description: 'Users whose email starts with the prefix' } },
  'GET /v1/admin/users/{userId}': { params: admin.UserParams, ok: { status: 200, schema: admin.UserDetailSchema, description: 'The user, their projects and task counts' } },
  'POST /v1/admin/users/{userId}/disable': {
    params: admin.UserParams,
    ok: { status: 200, schema: admin.AdminUserSchema, description: 'The user, disabled: their tokens are refused from their next request on, their refresh tokens revoked' },
    conflict: 'An admin cannot disable themself',
  },
  'POST /v1/admin/users/{userId}/enable': { params: admin.UserParams, ok: { status: 200, schema: admin.AdminUserSchema, description: 'The user, active again' } },
  'PUT /v1/admin/users/{userId}/admin': { params: admin.UserParams, ok: { status: 200, schema: admin.AdminFlag, description: 'The user is an admin from their next token on' } },
  'DELETE /v1/admin/users/{userId}/admin': {
    params: admin.UserParams,
    ok: { status: 200, schema: admin.AdminFlag, description: 'The user is no admin from their next token on' },
    conflict: 'An admin cannot revoke their own admin role',
  },
  'GET /v1/admin/dlqs': { ok: { status: 200, schema: admin.DlqList, description: 'Every DLQ with its depth' } },
  'GET /v1/admin/dlqs/{name}/messages': { params: admin.DlqParams, query: admin.DlqMessagesQuery, ok: { status: 200, schema: admin.DlqMessages, description: 'Messages of the DLQ, left in place' } },
  'POST /v1/admin/dlqs/{name}/redrive': {
    params: admin.DlqParams,
    ok: { status: 200, schema: admin.RedriveResultSchema, description: 'What was moved back and what stays' },
    conflict: 'The publisher DLQ: redrive it with npm run dlq (it replays stream batches)',
  },
};

export const routeKey = (route: Pick<RouteDef, 'method' | 'path'>): string => `${route.method} ${route.path}`;

const json = (schema: ZodType) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

const operationObject = (route: RouteDef, op: Operation): ZodOpenApiOperationObject => {
  const headers: Record<string, ZodType> = {};
  if (op.idempotent) {
    headers['idempotency-key'] = meta(z.optional(z.string().check(z.maxLength(255))), {
      description: 'Retry-safe creates: the same key and body give the same response, one write',
    });
  }
  if (op.versioned) headers['if-match'] = meta(z.optional(z.string()), { description: 'The version you are updating, e.g. "3" (or send body.version)' });
  const responses: ZodOpenApiOperationObject['responses'] = {
    [op.ok.status]: {
      description: op.ok.description,
      ...(op.ok.schema ? { content: json(op.ok.schema) } : {}),
      ...(op.etag || op.versioned ? { headers: z.object({ etag: meta(z.string(), { description: 'The version, quoted' }) }) } : {}),
    },
    '400': problem('Invalid input; `errors` names each field'),
    '500': problem('Unexpected error; quote the request id'),
  };
  if (route.auth !== 'none') {
    responses['401'] = { description: 'No Authorization header (answered by the gateway: {"message":"Unauthorized"})' };
    responses['403'] = problem('The token was refused, or the caller may not do this');
    responses['429'] = {
      ...problem('The per-user request quota is used up; retry after Retry-After seconds'),
      headers: z.object({
        'retry-after': meta(z.string(), { description: 'Seconds until the quota window closes' }),
        ratelimit: meta(z.string(), { description: 'The quota left: `"per-user";r=0;t=<seconds>`' }),
        'ratelimit-policy': meta(z.string(), { description: 'The quota: `"per-user";q=<requests>;w=<seconds>`' }),
      }),
    };
    if (route.path.includes('{')) responses['404'] = problem('Not found — or not yours to see');
  }
  if (op.versioned) {
    responses['409'] = problem('The version is stale: someone changed it first');
    responses['428'] = problem('No version was sent');
  }
  if (op.idempotent) responses['422'] = problem('The Idempotency-Key was used with another body');
  if (op.conflict) responses['409'] = problem(op.conflict);
  if (op.throttled) {
    responses['429'] = { ...problem(op.throttled), headers: z.object({ 'retry-after': meta(z.string(), { description: 'Seconds to wait before trying again' }) }) };
  }
  if (op.unavailable) responses['503'] = { description: op.unavailable.description, content: json(op.unavailable.schema) };
  return {
    operationId: route.handler.replace(/^functions\//, '').replace(/\.ts$/, '').replaceAll('/', '.'),
    summary: route.summary,
    tags: [route.path.split('/')[2] ?? 'misc'],
    ...(route.auth !== 'none' ? { security: [{ bearer: [] }] } : { security: [] }),
    requestParams: {
      ...(op.params ? { path: op.params as never } : {}),
      ...(op.query ? { query: op.query as never } : {}),
      ...(Object.keys(headers).length ? { header: z.object(headers) } : {}),
    },
    ...(op.body ? { requestBody: { required: true, content: json(op.body) } } : {}),
    responses,
  };
};

export const buildDocument = (serverUrl = '/') => {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const op = operations[routeKey(route)];
    if (!op) throw new Error(`No OpenAPI operation for ${routeKey(route)}`);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationObject(route, op) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Taskwell API',
      version: '1.0.0',
      description: 'Tasks, projects and members. Errors are RFC 9457 problem+json. Updates need the version you read (If-Match); creates accept Idempotency-Key.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito access token from POST /v1/auth/login' } } },
    paths,
  });
};
