// What holds data and identities: the single table, the Cognito user pool, the event bus and the queues (which hold
// messages in flight). All are retained when the stack is deleted, the table and pool also protected against
// accidental deletion; the stateless stack can be torn down and redeployed freely.
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  UserPool,
  UserPoolClient,
  type IUserPool,
  type IUserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, StreamViewType, Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { dlqDepthAlarm, EventQueues, suppressDlqFinding, type EventQueue } from '#lib/constructs/event-queues';
import { PUBLISHER_DLQ } from '#shared/events/outbox';
import { dlqName, RETENTION_SECONDS, type QueueName } from '#shared/events/queues';
import { ADMIN_GROUP } from '#shared/http/caller';
import { TABLE } from '#shared/store/table';

/** The Cognito password policy; the local runtime (local/cognito.ts) mirrors it. */
export const PASSWORD_POLICY = {
  minLength: 12,
  requireUppercase: true,
  requireLowercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidity: Duration.days(7),
} as const;

export class StatefulStack extends Stack {
  readonly table: ITable;
  readonly userPool: IUserPool;
  /** The custom bus the outbox publisher puts domain events on. */
  readonly eventBus: IEventBus;
  /** Where stream batches the publisher could not publish are parked (redrive with the DLQ tooling). */
  readonly publisherDlq: IQueue;
  /** The queues the bus's rules feed (shared/events/queues.ts), each with its DLQ. */
  readonly eventQueues: Readonly<Record<QueueName, EventQueue>>;
  /** Where every rule target parks the events EventBridge could not deliver. */
  readonly ruleTargetsDlq: IQueue;
  readonly userPoolClient: IUserPoolClient;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TABLE.ttlAttribute,
      stream: StreamViewType[TABLE.stream],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
    this.table = table;

    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        // `name` in Cognito; the API requires it at registration, the pool keeps it optional so it can evolve.
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: PASSWORD_POLICY,
      // Each user may switch on an authenticator app (TOTP) through /v1/me/mfa; SMS is not offered.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool = userPool;

    new CfnUserPoolGroup(this, 'AdminsGroup', {
      userPoolId: userPool.userPoolId,
      groupName: ADMIN_GROUP,
      description: 'Taskwell administrators',
    });

    this.userPoolClient = new UserPoolClient(this, 'UserPoolClient', {
      userPool,
      generateSecret: false,
      authFlows: { userPassword: true },
      disableOAuth: true,
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    NagSuppressions.addResourceSuppressions(userPool, [
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional, not required for everyone: each user can switch on an authenticator app (TOTP) through ' +
          '/v1/me/mfa and login then answers a TOTP challenge; requiring it pool-wide would stop every new user at ' +
          'sign-up. Deployments can require it for admins (context taskwell:adminMfaRequired: admin routes refuse an ' +
          'admin without MFA).',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection (advanced security) needs the Cognito Plus feature plan, billed per monthly active user; ' +
          'the operator opts in per deployment. Passwords are protected by the 12-character policy and Cognito\'s ' +
          'built-in lockout, and disabled users are refused by the authorizer on their next request.',
      },
    ]);

    const eventBusName = `${this.stackName}-events`;
    this.eventBus = new EventBus(this, 'EventBus', { eventBusName });
    const publisherDlq = new Queue(this, 'PublisherDlq', {
      queueName: dlqName(this.stackName, PUBLISHER_DLQ),
      retentionPeriod: Duration.seconds(RETENTION_SECONDS.dlq),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.publisherDlq = publisherDlq;
    dlqDepthAlarm(this, 'PublisherDlqDepth', publisherDlq, 'Stream batches the outbox publisher could not put on the bus are waiting in its DLQ');
    suppressDlqFinding(publisherDlq, "the on-failure destination of the publisher's stream mapping");

    const eventQueues = new EventQueues(this, 'EventQueues', { eventBusName });
    this.eventQueues = eventQueues.queues;
    this.ruleTargetsDlq = eventQueues.ruleTargetsDlq;
  }
}
