// The two stacks as CloudFormation sees them, synthesized once without bundling (test/infra/bundles.test.ts bundles):
// what the table and user pool guarantee, how the route table became an HTTP API, how the event declarations became
// queues, rules and consumers, least privilege, and cdk-nag.
import { afterAll, describe, expect, it } from 'vitest';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_MAIL_FROM } from '#lib/app';
import { DLQ_ACTIONS, EMAIL_ACTIONS, REDRIVE_TARGET_ACTIONS, senderAddress } from '#lib/constructs/taskwell-function';
import { catalogue } from '#shared/ops/dlq-catalogue';
import { OUTBOX_MAPPING, PUBLISHER_DLQ } from '#shared/events/outbox';
import { dlqName, queueName, queues, RETENTION_SECONDS, visibilityTimeoutSeconds } from '#shared/events/queues';
import { RULE_TARGETS_DLQ, rules, TARGET_RETRY } from '#shared/events/rules';
import { ADMIN_GROUP } from '#shared/http/caller';
import { authorizer, functionId, routes, type RouteGrants } from '#shared/routes';
import { TABLE } from '#shared/store/table';
import { reminderStateMachineDefinition } from '#shared/reminders/state-machine';
import { PASSWORD_POLICY as LOCAL_PASSWORD_POLICY } from '#local/cognito';
import { removeAssemblies, synthesizeApp } from '#test/infra/app';

const app = synthesizeApp({ bundle: false });
afterAll(removeAssemblies);

const stateful = app.statefulTemplate;

describe('TaskwellStateful: the table', () => {
  it('is the one table declared in shared/store/table.ts: pk/sk, both GSIs, stream and TTL', () => {
    stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE.indexes.map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ),
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('survives mistakes: point-in-time recovery, deletion protection, retained on stack deletion', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('TaskwellStateful: the user pool', () => {
  it('lets people sign up with their email, verified automatically, recovering by email', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'name', Mutable: true })]),
      DeletionProtection: 'ACTIVE',
    });
    stateful.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('enforces the same password policy as the local stack', () => {
    const { MinimumLength, RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols } = LOCAL_PASSWORD_POLICY;
    expect(MinimumLength).toBe(12);
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength, RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols }) },
    });
    expect([RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols]).toEqual([true, true, true, true]);
  });

  it('offers optional MFA with an authenticator app (TOTP) only, no SMS', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
  });

  it(`has the ${ADMIN_GROUP} group the API checks for`, () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: ADMIN_GROUP });
  });

  it('has a public app client for USER_PASSWORD_AUTH and refresh, with revocation and 1 h / 30 d tokens', () => {
    stateful.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const [client] = Object.values(stateful.findResources('AWS::Cognito::UserPoolClient'));
    const props = client?.Properties as Record<string, unknown>;
    expect(props.GenerateSecret ?? false).toBe(false);
    expect([...(props.ExplicitAuthFlows as string[])].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']);
    expect(props).toMatchObject({
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 43_200,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
  });
});

const template = app.statelessTemplate;

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

const statefulResources = stateful.toJSON().Resources as Record<string, Resource>;
const statefulOfType = (type: string) => Object.entries(statefulResources).filter(([, r]) => r.Type === type);
const STATEFUL = app.stateful.stackName;
const STATELESS = app.stateless.stackName;

/** The consumers declared in shared/events/queues.ts, with the queue each reads. */
const consumers = queues.flatMap((q) => ('consumer' in q ? [{ queue: q.name, ...q.consumer }] : []));

/** The stateful queue named `name`: its logical id and resource. */
const statefulQueue = (name: string): [string, Resource] => {
  const found = statefulOfType('AWS::SQS::Queue').find(([, r]) => r.Properties.QueueName === name);
  if (!found) throw new Error(`no queue named ${name} in ${STATEFUL}`);
  return found;
};

/** What a stateless `Fn::ImportValue` refers to in the stateful stack: `[logical id, attribute]`. */
const exportedBy = (value: unknown): [string, string] => {
  const name = (value as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
  if (!name) throw new Error(`not an import: ${JSON.stringify(value)}`);
  const outputs = stateful.toJSON().Outputs as Record<string, { Value: any; Export?: { Name: string } }>;
  const output = Object.values(outputs).find((o) => o.Export?.Name === name);
  if (!output) throw new Error(`${STATEFUL} exports no ${name}`);
  return output.Value.Ref ? [output.Value.Ref as string, 'Ref'] : (output.Value['Fn::GetAtt'] as [string, string]);
};

/** The physical name of the stateful queue whose ARN a stateless value imports. */
const importedQueueName = (value: unknown): string => {
  const [logicalId, attribute] = exportedBy(value);
  expect(attribute).toBe('Arn');
  const queue = statefulResources[logicalId];
  expect(queue?.Type).toBe('AWS::SQS::Queue');
  return queue?.Properties.QueueName as string;
};

const functionNamed = (handler: string): [string, Resource] => {
  const name = `TaskwellStateless-${functionId(handler)}`;
  const found = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === name);
  if (!found) throw new Error(`no function named ${name}`);
  return found;
};

const authorizerId = (): string => {
  const [entry] = ofType('AWS::ApiGatewayV2::Authorizer');
  if (!entry) throw new Error('no authorizer');
  return entry[0];
};

/** Every IAM action the function's role may perform, with the resources of each statement. */
const statementsOf = (handler: string) => {
  const [, fn] = functionNamed(handler);
  const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
  const role = resources[roleId];
  const policies = ofType('AWS::IAM::Policy').filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })));
  const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  return {
    role,
    statements: statements.map((s) => ({ actions: ([] as string[]).concat(s.Action), resources: ([] as unknown[]).concat(s.Resource) })),
  };
};

const expectedTableActions = (grants: RouteGrants): string[] => {
  const read = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'];
  if (grants.table === 'read') return read;
  if (grants.table === 'readwrite') return [...read, 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].sort();
  return [];
};

describe('TaskwellStateless: routes', () => {
  it('exist exactly as declared in shared/routes.ts, each backed by its own function', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(routeKeys.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());

    for (const route of routes) {
      const [, apiRoute] = ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === `${route.method} ${route.path}`)!;
      const integrationId = (apiRoute.Properties.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
      const integration = resources[integrationId.Ref]!;
      const [fnId] = functionNamed(route.handler);
      expect(integration.Properties.IntegrationUri, route.path).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
  });

  it('put the Lambda authorizer on every route that needs a caller', () => {
    const guarded = routes.filter((r) => r.auth !== 'none');
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizerId() },
      });
    }
  });

  it('leave health, the OpenAPI document and the auth routes public', () => {
    const publicKeys = routes.filter((r) => r.auth === 'none').map((r) => `${r.method} ${r.path}`);
    expect(publicKeys).toEqual(expect.arrayContaining(['GET /v1/health', 'GET /v1/openapi.json', 'POST /v1/auth/login', 'POST /v1/auth/register']));
    expect(publicKeys.every((key) => key === 'GET /v1/health' || key === 'GET /v1/openapi.json' || key.startsWith('POST /v1/auth/'))).toBe(true);
    for (const key of publicKeys) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'NONE', AuthorizerId: Match.absent() });
    }
  });
});

describe('TaskwellStateless: the authorizer', () => {
  it('answers simple responses from the Authorization header, with the gateway cache off', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
      AuthorizerUri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [functionNamed(authorizer.handler)[0], 'Arn'] }])] }),
    });
  });

  it('learns whether admin rights need MFA from the deployment setting, off by default', () => {
    expect(functionNamed(authorizer.handler)[1].Properties.Environment.Variables.ADMIN_MFA_REQUIRED).toBe('false');
  });
});

/** What an SQS event source mapping needs from its function's role (CDK's grantConsumeMessages). */
const SQS_CONSUME_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];
const BASE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const REMINDER_ACTIONS = ['states:StartExecution', 'states:StopExecution'];
/** What a `dlqs` grant allows, statement by statement (a redrive also sends to the event queues). */
const dlqActions = (level: NonNullable<RouteGrants['dlqs']>): string[] => [...DLQ_ACTIONS[level], ...(level === 'redrive' ? REDRIVE_TARGET_ACTIONS : [])];

describe('TaskwellStateless: least privilege', () => {
  const everyFunction = [
    ...routes.map((r) => ({ handler: r.handler, grants: r.grants, queue: undefined })),
    { ...authorizer, queue: undefined },
    ...consumers.map((c) => ({ handler: c.handler, grants: c.grants as RouteGrants, queue: c.queue })),
  ];

  it.each(everyFunction)('$handler may use exactly the table actions its grants name', ({ handler, grants, queue }) => {
    const { role, statements } = statementsOf(handler);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    const dynamo = statements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
    expect([...new Set(dynamo.flatMap((s) => s.actions))].sort()).toEqual(expectedTableActions(grants));
    for (const s of dynamo) {
      expect(JSON.stringify(s.resources)).not.toMatch(/\*/);
      expect(JSON.stringify(s.resources)).toMatch(/TaskwellStateful:ExportsOutputFnGetAttTable/);
    }
    const cognito = statements.flatMap((s) => s.actions).filter((a) => a.startsWith('cognito-idp:'));
    expect(cognito.sort()).toEqual((grants.userPool ?? []).map((a) => `cognito-idp:${a}`).sort());
    const other = statements.flatMap((s) => s.actions).filter((a) => !/^(dynamodb|cognito-idp):/.test(a));
    expect(other.sort()).toEqual(
      [
        ...BASE_ACTIONS,
        ...(queue ? SQS_CONSUME_ACTIONS : []),
        ...(grants.email ? EMAIL_ACTIONS : []),
        ...(grants.reminders ? REMINDER_ACTIONS : []),
        ...(grants.dlqs ? dlqActions(grants.dlqs) : []),
      ].sort(),
    );
    // A consumer reads only its own queue (the DLQ grants are checked below).
    for (const s of statements.filter((st) => queue && st.actions.some((a) => a.startsWith('sqs:')))) {
      expect(s.resources.map(importedQueueName)).toEqual([queueName(STATEFUL, queue!)]);
    }
  });

  it('lets only the consumers and routes granted email send it, and only as the configured sender', () => {
    const address = senderAddress(DEFAULT_MAIL_FROM);
    const identity = (name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:identity/${name}`]],
    });
    // The notification consumer, and register (the notice to an address's owner that someone tried to register it).
    const senders = [...consumers, ...routes].filter((c) => (c.grants as RouteGrants).email);
    expect(senders.map((c) => c.handler)).toEqual(['functions/notifications/send-notifications.ts', 'functions/auth/register.ts']);
    for (const { handler } of senders) {
      const ses = statementsOf(handler).statements.filter((s) => s.actions.some((a) => a.startsWith('ses:')));
      expect(ses).toHaveLength(1);
      expect(ses[0]?.actions.sort()).toEqual([...EMAIL_ACTIONS].sort());
      expect(ses[0]?.resources).toEqual(expect.arrayContaining([identity(address), identity(address.split('@')[1]!)]));
      expect(ses[0]?.resources).toHaveLength(2);
      expect(functionNamed(handler)[1].Properties.Environment.Variables.MAIL_FROM).toBe(DEFAULT_MAIL_FROM);
    }
    // Nobody else, in either stack, holds any SES permission.
    const sesPolicies = [app.statefulTemplate, template].flatMap((t) =>
      Object.entries(t.findResources('AWS::IAM::Policy')).filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('"ses:')),
    );
    const senderRoles = senders.map(({ handler }) => ({ Ref: functionNamed(handler)[1].Properties.Role['Fn::GetAtt'][0] as string }));
    const byRef = (a: { Ref: string }, b: { Ref: string }) => a.Ref.localeCompare(b.Ref);
    expect(sesPolicies.flatMap(([, p]) => p.Properties.Roles as { Ref: string }[]).sort(byRef)).toEqual(senderRoles.sort(byRef));
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const sends = senders.some(({ handler }) => fn.Properties.FunctionName === `${STATELESS}-${functionId(handler)}`);
      expect('MAIL_FROM' in fn.Properties.Environment.Variables, fn.Properties.FunctionName).toBe(sends);
    }
  });

  it('lets exactly the admin DLQ routes touch the DLQs, by name, and redrive them only into the event queues', () => {
    /** The queue name of an ARN built with formatArn in this stack: arn:<partition>:sqs:<region>:<account>:<name>. */
    const sqsArnName = (resource: unknown): string => {
      const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(parts.slice(0, 6)).toEqual(['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }]);
      return String(parts[6]).replace(/^:/, '');
    };
    const dlqs = catalogue(STATEFUL);
    const withDlqs = routes.filter((r) => r.grants.dlqs);
    expect(withDlqs.map((r) => [r.path, r.grants.dlqs])).toEqual([
      ['/v1/admin/stats', 'count'],
      ['/v1/admin/dlqs', 'count'],
      ['/v1/admin/dlqs/{name}/messages', 'read'],
      ['/v1/admin/dlqs/{name}/redrive', 'redrive'],
    ]);
    for (const route of withDlqs) {
      const sqsStatements = statementsOf(route.handler).statements.filter((st) => st.actions.some((a) => a.startsWith('sqs:')));
      const onDlqs = sqsStatements.find((st) => st.actions.includes('sqs:GetQueueAttributes'));
      expect(onDlqs?.actions.sort()).toEqual([...DLQ_ACTIONS[route.grants.dlqs!]].sort());
      // A redrive never touches the publisher DLQ (npm run dlq replays it from the stream).
      const expectedDlqs = dlqs.filter((d) => route.grants.dlqs !== 'redrive' || d.kind !== 'publisher').map((d) => d.name);
      expect(onDlqs?.resources.map(sqsArnName).sort()).toEqual(expectedDlqs.sort());
      const onQueues = sqsStatements.filter((st) => st !== onDlqs);
      if (route.grants.dlqs === 'redrive') {
        expect(onQueues).toHaveLength(1);
        expect(onQueues[0]?.actions.sort()).toEqual([...REDRIVE_TARGET_ACTIONS].sort());
        expect(onQueues[0]?.resources.map(sqsArnName).sort()).toEqual(queues.map((q) => queueName(STATEFUL, q.name)).sort());
      } else {
        expect(onQueues).toEqual([]);
      }
      // The queues are named after the stateful stack, which the function learns as QUEUE_PREFIX.
      expect(functionNamed(route.handler)[1].Properties.Environment.Variables.QUEUE_PREFIX).toBe(STATEFUL);
    }
  });

  it('lets only the admin user routes and the account routes (sign-up, recovery, deletion) call the Cognito admin API, each exactly the actions it uses, on the user pool', () => {
    // The account routes read an address's account (AdminGetUser) to answer every address alike; register replaces a
    // pending sign-up (AdminDeleteUser); a password reset and "log out everywhere" revoke the account's refresh tokens.
    const accountRoutes: Record<string, string[]> = {
      'POST /v1/auth/register': ['AdminGetUser', 'AdminDeleteUser'],
      'POST /v1/auth/confirm': ['AdminGetUser'],
      'POST /v1/auth/resend-code': ['AdminGetUser'],
      'POST /v1/auth/forgot-password': ['AdminGetUser'],
      'POST /v1/auth/reset-password': ['AdminGetUser', 'AdminUserGlobalSignOut'],
      // Log out everywhere revokes the account's refresh tokens too.
      'POST /v1/auth/logout-all': ['AdminUserGlobalSignOut'],
      // Account deletion checks the account, then deletes it.
      'DELETE /v1/me': ['AdminGetUser', 'AdminDeleteUser'],
    };
    const withPool = routes.filter((r) => r.grants.userPool?.length);
    expect(withPool.every((r) => (r.auth === 'admin' && r.path.startsWith('/v1/admin/users/')) || `${r.method} ${r.path}` in accountRoutes)).toBe(true);
    for (const [key, actions] of Object.entries(accountRoutes)) expect(routes.find((r) => `${r.method} ${r.path}` === key)?.grants.userPool).toEqual(actions);
    expect(withPool.find((r) => r.path.endsWith('/disable'))?.grants.userPool).toEqual(['AdminDisableUser', 'AdminUserGlobalSignOut']);
    for (const route of withPool) {
      const onPool = statementsOf(route.handler).statements.filter((st) => st.actions.some((a) => a.startsWith('cognito-idp:')));
      expect(onPool).toHaveLength(1);
      expect(JSON.stringify(onPool[0]?.resources)).toMatch(/TaskwellStateful:ExportsOutputFnGetAttUserPool/);
      expect(JSON.stringify(onPool[0]?.resources)).not.toContain('*');
    }
  });

  it('reads a sender address from a display-name form and refuses a malformed one', () => {
    expect(senderAddress('Taskwell <notifications@taskwell.example>')).toBe('notifications@taskwell.example');
    expect(senderAddress(' ops@example.org ')).toBe('ops@example.org');
    expect(() => senderAddress('Taskwell')).toThrow(/not a sender address/);
    expect(() => senderAddress('a@b')).toThrow(/not a sender address/);
  });

  it('never allows Scan, a DynamoDB wildcard or a bare "*" action, in either stack', () => {
    const actions = [app.statefulTemplate, template].flatMap((t) =>
      Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((st) => ([] as string[]).concat(st.Action)),
      ),
    );
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => a === '*' || a === 'dynamodb:Scan' || /^dynamodb:.*\*/.test(a))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('dynamodb:Scan');
  });
});

describe('TaskwellStateless: functions', () => {
  const consumerNamed = (functionName: string) => consumers.find((c) => `${STATELESS}-${functionId(c.handler)}` === functionName);

  it('run nodejs22.x on arm64 with X-Ray, the declared timeout (10 s for the API), and the environment the handlers read', () => {
    const functions = ofType('AWS::Lambda::Function');
    // One per route, the authorizer, the outbox publisher, the reminder wake-up, and one per queue consumer.
    expect(consumers.length).toBeGreaterThan(0);
    expect(functions).toHaveLength(routes.length + 3 + consumers.length);
    const publisherName = `${STATELESS}-${functionId(OUTBOX_MAPPING.handler)}`;
    for (const [, fn] of functions) {
      const consumer = consumerNamed(fn.Properties.FunctionName as string);
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: consumer?.timeoutSeconds ?? 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      const extra = [
        ...(consumer ? ['APP_URL', 'EVENT_BUS_NAME'] : []),
        ...(fn.Properties.FunctionName === publisherName ? ['EVENT_BUS_NAME'] : []),
        ...(fn.Properties.FunctionName === `${STATELESS}-${functionId(authorizer.handler)}` ? ['ADMIN_MFA_REQUIRED'] : []),
        ...((consumer?.grants as RouteGrants | undefined)?.email ? ['MAIL_FROM'] : []),
        ...((consumer?.grants as RouteGrants | undefined)?.reminders ? ['STATE_MACHINE_ARN'] : []),
        ...(routes.some((r) => r.grants.dlqs && `${STATELESS}-${functionId(r.handler)}` === fn.Properties.FunctionName) ? ['QUEUE_PREFIX'] : []),
        ...(routes.some((r) => r.grants.email && `${STATELESS}-${functionId(r.handler)}` === fn.Properties.FunctionName) ? ['MAIL_FROM'] : []),
        ...(fn.Properties.FunctionName === `${STATELESS}-${functionId(authorizer.handler)}` ? ['REQUEST_QUOTA_PER_MINUTE'] : []),
      ];
      expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual([
        ...extra,
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'TABLE_NAME',
        'USER_POOL_CLIENT_ID',
        'USER_POOL_ID',
      ].sort());
      expect(fn.Properties.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'taskwell',
        POWERTOOLS_METRICS_NAMESPACE: 'Taskwell',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
    }
  });

  it('log to their own log groups, kept for a month', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const logGroup = resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(logGroup?.Properties).toMatchObject({ LogGroupName: `/aws/lambda/${fn.Properties.FunctionName}`, RetentionInDays: 30 });
    }
  });
});

describe('TaskwellStateless: the stage', () => {
  it('is the auto-deployed $default stage with throttling and JSON access logs', () => {
    const [[, stage] = []] = ofType('AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    const logGroup = resources[stage?.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string];
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
  });

  it('lets no browser origin call the API until one is configured (test/infra/cors.test.ts configures them)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
  });
});

describe('TaskwellStateless: operations', () => {
  it('alarms on API 5xx and on every function\'s errors and throttles', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.filter((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx')).toHaveLength(1);
    const functionCount = routes.length + 3 + consumers.length;
    // One alarm per function on the sum of its errors and throttles.
    const failureAlarms = alarms.filter((a) => a.Metrics?.some((m: { Expression?: string }) => m.Expression === 'errors + throttles'));
    expect(failureAlarms).toHaveLength(functionCount);
    for (const alarm of failureAlarms) {
      const names = alarm.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map((m: { MetricStat: { Metric: { Namespace: string; MetricName: string } } }) => `${m.MetricStat.Metric.Namespace}/${m.MetricStat.Metric.MetricName}`);
      expect(names.sort()).toEqual(['AWS/Lambda/Errors', 'AWS/Lambda/Throttles']);
    }
    // CloudFormation refuses a stack of more than 500 resources.
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThanOrEqual(500);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('shows the event flow on the dashboard: queue and DLQ depths, oldest messages, events published and emails sent', () => {
    const [[, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'EventsPublished', 'EmailsSent']) {
      expect(body).toContain(metric);
    }
    // One depth line per queue and per DLQ (each queue's, the rule targets' and the publisher's).
    expect(body.match(/ApproximateNumberOfMessagesVisible/g)).toHaveLength(queues.length * 2 + 2);
  });

  it('outputs what a client and an operator need', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName']) template.hasOutput(name, {});
  });
});

describe('the outbox: table stream → publisher → event bus', () => {
  const stateless = app.statelessTemplate;

  it('has a custom event bus and a retained, encrypted publisher DLQ with a depth alarm', () => {
    stateful.resourceCountIs('AWS::Events::EventBus', 1);
    stateful.hasResourceProperties('AWS::Events::EventBus', { Name: `${STATEFUL}-events` });
    const [, dlq] = statefulQueue(dlqName(STATEFUL, PUBLISHER_DLQ));
    expect(dlq).toMatchObject({ DeletionPolicy: 'Retain', Properties: { SqsManagedSseEnabled: true } });
    expectDepthAlarm(dlqName(STATEFUL, PUBLISHER_DLQ));
  });

  it('feeds the publisher from the table stream with the figures of shared/events/outbox.ts, parking failures in its DLQ', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => 'StartingPosition' in m.Properties);
    expect(mappings).toHaveLength(1);
    const [[, mapping] = []] = mappings;
    expect(mapping?.Properties).toMatchObject({
      FunctionName: { Ref: functionNamed(OUTBOX_MAPPING.handler)[0] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: OUTBOX_MAPPING.batchSize,
      MaximumBatchingWindowInSeconds: OUTBOX_MAPPING.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: OUTBOX_MAPPING.bisectBatchOnError,
      MaximumRetryAttempts: OUTBOX_MAPPING.retryAttempts,
      MaximumRecordAgeInSeconds: OUTBOX_MAPPING.maxRecordAgeSeconds,
      StartingPosition: 'TRIM_HORIZON',
    });
    expect(exportedBy(mapping?.Properties.EventSourceArn)).toEqual([expect.any(String), 'StreamArn']);
    expect(importedQueueName(mapping?.Properties.DestinationConfig.OnFailure.Destination)).toBe(dlqName(STATEFUL, PUBLISHER_DLQ));
    // The same filter as the local stream poller: session marks and request counters never invoke the publisher.
    expect(mapping?.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual(OUTBOX_MAPPING.filters);
  });

  it('tells the authorizer the per-user request quota (default 100 a minute)', () => {
    expect(functionNamed(authorizer.handler)[1].Properties.Environment.Variables.REQUEST_QUOTA_PER_MINUTE).toBe('100');
  });

  it('lets the publisher put events on the bus and read the stream, and touch no table item', () => {
    const policies = stateless.findResources('AWS::IAM::Policy');
    const publisher = Object.entries(policies).filter(([logicalId]) => logicalId.includes('eventspublishevents'));
    expect(publisher.length).toBeGreaterThan(0);
    const actions = publisher.flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((st) => ([] as string[]).concat(st.Action)),
    );
    expect(actions).toContain('events:PutEvents');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']));
    expect(actions.filter((a) => /dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|BatchGetItem)$/.test(a))).toEqual([]);
  });
});

/** Asserts an alarm that fires as soon as one message is visible in the stateful queue named `name`. */
function expectDepthAlarm(name: string): void {
  const [logicalId] = statefulQueue(name);
  const alarms = statefulOfType('AWS::CloudWatch::Alarm').filter(
    ([, a]) =>
      a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
      JSON.stringify(a.Properties.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }]),
  );
  expect(alarms, `depth alarm of ${name}`).toHaveLength(1);
  expect(alarms[0]?.[1].Properties).toMatchObject({
    Namespace: 'AWS/SQS',
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    Period: 60,
    TreatMissingData: 'notBreaching',
  });
}

describe('the event queues (TaskwellStateful)', () => {
  it.each(queues)('$name is named, retained, encrypted and redriven to its own DLQ after $maxReceiveCount receives', (q) => {
    const [dlqId, dlq] = statefulQueue(dlqName(STATEFUL, q.name));
    const [, queue] = statefulQueue(queueName(STATEFUL, q.name));
    expect(queue).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: visibilityTimeoutSeconds(q),
        MessageRetentionPeriod: RETENTION_SECONDS.queue,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: q.maxReceiveCount },
      },
    });
    expect(dlq).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: RETENTION_SECONDS.dlq },
    });
    expect(dlq?.Properties.RedrivePolicy).toBeUndefined();
  });

  it.each(queues)('$name alarms as soon as its DLQ holds a message', (q) => expectDepthAlarm(dlqName(STATEFUL, q.name)));

  it('alarms when a consumer falls behind (oldest message over 15 minutes), for queues that have one', () => {
    const ageAlarms = statefulOfType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage');
    const watched = ageAlarms.map(([, a]) => statefulResources[a.Properties.Dimensions[0].Value['Fn::GetAtt'][0]]?.Properties.QueueName as string);
    expect(watched.sort()).toEqual(consumers.map((c) => queueName(STATEFUL, c.queue)).sort());
    for (const [, a] of ageAlarms) expect(a.Properties).toMatchObject({ Threshold: 900, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum' });
  });

  it('has a retained, encrypted rule-targets DLQ with a depth alarm', () => {
    const [, dlq] = statefulQueue(dlqName(STATEFUL, RULE_TARGETS_DLQ));
    expect(dlq).toMatchObject({ DeletionPolicy: 'Retain', Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: RETENTION_SECONDS.dlq } });
    expectDepthAlarm(dlqName(STATEFUL, RULE_TARGETS_DLQ));
  });

  it('accept messages only from EventBridge rules of our bus, and only over TLS', () => {
    const ruleArns = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:rule/${STATEFUL}-events/*`]],
    };
    const receiving = new Set<string>();
    for (const [, policy] of statefulOfType('AWS::SQS::QueuePolicy')) {
      const [queueRef] = policy.Properties.Queues as { Ref: string }[];
      const queue = statefulResources[queueRef!.Ref]!;
      const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      for (const st of statements.filter((x) => x.Effect === 'Allow')) {
        expect(st).toEqual({
          Sid: expect.any(String),
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [queueRef!.Ref, 'Arn'] },
          Condition: { ArnLike: { 'aws:SourceArn': ruleArns } },
        });
        receiving.add(queue.Properties.QueueName as string);
      }
    }
    const targets = [...new Set(rules.map((r) => queueName(STATEFUL, r.target)))];
    expect([...receiving].sort()).toEqual([...targets, dlqName(STATEFUL, RULE_TARGETS_DLQ)].sort());
    // The stateless stack adds no policy to (or creates no copy of) a stateful queue.
    template.resourceCountIs('AWS::SQS::QueuePolicy', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
  });
});

describe('the event rules (TaskwellStateless)', () => {
  const ruleNamed = (name: string): Resource => {
    const found = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.Name === name);
    expect(found, name).toHaveLength(1);
    return found[0]![1];
  };

  it('exist exactly as declared in shared/events/rules.ts, on our bus', () => {
    expect(ofType('AWS::Events::Rule').map(([, r]) => r.Properties.Name as string).sort()).toEqual(rules.map((r) => r.name).sort());
    for (const rule of rules) {
      const [busId, attribute] = exportedBy(ruleNamed(rule.name).Properties.EventBusName);
      expect([statefulResources[busId]?.Type, attribute]).toEqual(['AWS::Events::EventBus', 'Ref']);
    }
  });

  it.each(rules)('$name has the declared pattern, state and target queue', (rule) => {
    const { Properties: props } = ruleNamed(rule.name);
    expect(props.EventPattern).toEqual(rule.pattern);
    expect(props.State).toBe(rule.enabled ? 'ENABLED' : 'DISABLED');
    expect(props.Targets).toHaveLength(1);
    expect(importedQueueName(props.Targets[0].Arn)).toBe(queueName(STATEFUL, rule.target));
  });

  it.each(rules)('$name parks undeliverable events in the rule-targets DLQ after the declared retries', (rule) => {
    const [target] = ruleNamed(rule.name).Properties.Targets as Record<string, any>[];
    expect(importedQueueName(target?.DeadLetterConfig.Arn)).toBe(dlqName(STATEFUL, RULE_TARGETS_DLQ));
    expect(target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: TARGET_RETRY.maximumRetryAttempts,
      MaximumEventAgeInSeconds: TARGET_RETRY.maximumEventAgeSeconds,
    });
    expect(target?.InputTransformer ?? target?.Input ?? target?.InputPath).toBeUndefined(); // the whole envelope is the message
  });
});

describe('the event consumers (TaskwellStateless)', () => {
  const sqsMappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => !('StartingPosition' in m.Properties));

  it('exist for exactly the queues that declare a consumer', () => {
    expect(sqsMappings.map(([, m]) => importedQueueName(m.Properties.EventSourceArn)).sort()).toEqual(
      consumers.map((c) => queueName(STATEFUL, c.queue)).sort(),
    );
  });

  it.each(consumers)('$handler reads $queue in batches of $batchSize, reporting batch item failures', (consumer) => {
    const [fnId, fn] = functionNamed(consumer.handler);
    const mapping = sqsMappings.find(([, m]) => m.Properties.FunctionName.Ref === fnId)?.[1];
    expect(mapping?.Properties).toMatchObject({
      BatchSize: consumer.batchSize,
      MaximumBatchingWindowInSeconds: consumer.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(importedQueueName(mapping?.Properties.EventSourceArn)).toBe(queueName(STATEFUL, consumer.queue));
    // SQS must not hand a message to a second invocation while the first may still run.
    const [, queue] = statefulQueue(queueName(STATEFUL, consumer.queue));
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (fn.Properties.Timeout as number));
    expect(fn.Properties.Description).toBe(consumer.description);
  });
});

describe.each([
  ['TaskwellStateful', app.stateful],
  ['TaskwellStateless', app.stateless],
] as const)('cdk-nag AwsSolutions on %s', (_name, stack) => {
  it('reports no unacknowledged errors', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('reports no unacknowledged warnings', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});

describe('the reminder schedule (TaskwellStateless)', () => {
  const [smId, sm] = ofType('AWS::StepFunctions::StateMachine')[0] ?? [];

  it('is one Standard state machine that logs ALL with execution data and traces with X-Ray', () => {
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(sm!.Properties.StateMachineType).toBe('STANDARD');
    expect(sm!.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(sm!.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
  });

  it('runs the declared definition (JSONPath, Wait on $.at), invoking the wake-up function', () => {
    const body = sm!.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
    const [wakeUpId] = functionNamed('functions/reminders/wake-up.ts');
    const rendered = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part) === JSON.stringify({ 'Fn::GetAtt': [wakeUpId, 'Arn'] }) ? 'WAKE_UP_ARN' : '?')).join('');
    expect(JSON.parse(rendered)).toEqual(reminderStateMachineDefinition('WAKE_UP_ARN'));
  });

  it('lets the scheduler start executions of that state machine and stop its executions, nothing else', () => {
    const { statements } = statementsOf('functions/reminders/schedule-reminders.ts');
    const states = statements.filter((s) => s.actions.some((a) => a.startsWith('states:')));
    expect(states.flatMap((s) => s.actions).sort()).toEqual(['states:StartExecution', 'states:StopExecution']);
    const start = states.find((s) => s.actions.includes('states:StartExecution'))!;
    expect(start.resources).toEqual([{ Ref: smId }]);
    const stop = states.find((s) => s.actions.includes('states:StopExecution'))!;
    expect(JSON.stringify(stop.resources)).toMatch(/:execution:/);
    expect(JSON.stringify(stop.resources)).toContain(`${STATELESS}-reminders:*`);
    // No other function may touch Step Functions.
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      if (fn.Properties.FunctionName === `${STATELESS}-reminders-schedule-reminders`) continue;
      const name = String(fn.Properties.FunctionName).replace(`${STATELESS}-`, '');
      const handler = [...routes.map((r) => r.handler), authorizer.handler, OUTBOX_MAPPING.handler, 'functions/reminders/wake-up.ts', ...consumers.map((c) => c.handler)].find((h) => functionId(h) === name)!;
      expect(statementsOf(handler).statements.flatMap((s) => s.actions).some((a) => a.startsWith('states:')), name).toBe(false);
    }
  });

  it('gives the scheduler the state machine ARN and only the state machine the right to invoke the wake-up function', () => {
    const [, scheduler] = functionNamed('functions/reminders/schedule-reminders.ts');
    expect(scheduler.Properties.Environment.Variables.STATE_MACHINE_ARN).toEqual({ Ref: smId });
    const smRoleId = sm!.Properties.RoleArn['Fn::GetAtt'][0];
    const invokers = ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('lambda:InvokeFunction'));
    expect(invokers.map(([, p]) => p.Properties.Roles)).toEqual([[{ Ref: smRoleId }]]);
  });
});
