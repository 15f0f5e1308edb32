// The two stacks as CloudFormation sees them, synthesized once without bundling (test/infra/bundles.test.ts bundles):
// what the table and user pool guarantee, how the route table became an HTTP API, least privilege, and cdk-nag.
import { afterAll, describe, expect, it } from 'vitest';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ADMIN_GROUP } from '#shared/http/caller';
import { authorizer, functionId, routes, type RouteGrants } from '#shared/routes';
import { TABLE } from '#shared/store/table';
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

type Resource = { Type: string; Properties: Record<string, any> };
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

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
});

describe('TaskwellStateless: least privilege', () => {
  const everyFunction = [...routes.map((r) => ({ handler: r.handler, grants: r.grants })), authorizer];

  it.each(everyFunction)('$handler may use exactly the table actions its grants name', ({ handler, grants }) => {
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
    expect(other.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
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
  it('run nodejs22.x on arm64 with X-Ray, 10 s timeout, and the environment the handlers read', () => {
    const functions = ofType('AWS::Lambda::Function');
    // One per route, the authorizer, and the outbox publisher.
    expect(functions).toHaveLength(routes.length + 2);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      const extra = 'EVENT_BUS_NAME' in fn.Properties.Environment.Variables ? ['EVENT_BUS_NAME'] : [];
      expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual([
        ...extra,
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'TABLE_NAME',
        'USER_POOL_CLIENT_ID',
        'USER_POOL_ID',
      ]);
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

  it('answers browser preflights for the headers the API uses', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowHeaders: Match.arrayWith(['authorization', 'content-type', 'idempotency-key', 'if-match']),
        ExposeHeaders: Match.arrayWith(['etag']),
      }),
    });
  });
});

describe('TaskwellStateless: operations', () => {
  it('alarms on API 5xx and on every function\'s errors and throttles', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.filter((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx')).toHaveLength(1);
    expect(alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors')).toHaveLength(routes.length + 2);
    expect(alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Throttles')).toHaveLength(routes.length + 2);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('outputs what a client and an operator need', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName']) template.hasOutput(name, {});
  });
});

describe('the outbox: table stream → publisher → event bus', () => {
  const stateless = app.statelessTemplate;

  it('has a custom event bus and a retained, encrypted publisher DLQ with a depth alarm', () => {
    stateful.resourceCountIs('AWS::Events::EventBus', 1);
    stateful.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ SqsManagedSseEnabled: true }) });
    stateful.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('feeds the publisher from the table stream, reporting batch item failures, bisecting, and parking failures in the DLQ', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: Match.anyValue(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
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
