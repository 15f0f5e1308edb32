// The queue consumers answer exactly the messages that failed, so SQS retries those and no others.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { handler as recordAudit } from '#functions/audit/record-audit-entries';
import { handler as sendNotifications } from '#functions/notifications/send-notifications';

const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const at = '2026-11-23T10:00:00.000Z';
const context = { functionName: 'consumer', awsRequestId: 'x', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const domainEvent = (id: string, over: Record<string, unknown> = {}) => ({
  id, type: 'TaskAssigned', version: 1, occurredAt: at, actor: { userId: 'alice' }, requestId: 'req-1',
  entity: { type: 'Task', id: `task-${id}` }, projectId: null, before: null,
  after: { id: `task-${id}`, title: 'Write', assigneeId: 'bob', createdBy: 'alice', status: 'todo' }, changes: [], ...over,
});
const message = (messageId: string, body: unknown): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: typeof body === 'string' ? body : JSON.stringify({ version: '0', id: messageId, 'detail-type': 'TaskAssigned', source: 'taskwell', detail: body }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'events', ApproximateFirstReceiveTimestamp: '1' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:taskwell-audit',
  awsRegion: 'us-east-1',
});
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('the audit consumer', () => {
  beforeEach(() => dynamo.reset());

  it('returns exactly the messages that are malformed, of an unknown version, or failed to write', async () => {
    dynamo.on(PutCommand).callsFake(async (input: { Item: { id: string } }) => {
      if (input.Item.id === 'ev-throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
      return {};
    });
    const result = await recordAudit(
      batch(
        message('m1', domainEvent('ev-ok')),
        message('m2', '{not json'),
        message('m3', domainEvent('ev-throttled')),
        message('m4', domainEvent('ev-v2', { version: 2 })),
        message('m5', domainEvent('ev-ok-2')),
      ),
      context,
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm3', 'm4']);
    expect(dynamo.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.id).sort()).toEqual(['ev-ok', 'ev-ok-2', 'ev-throttled']);
  });

  it('treats an event it already recorded as done: a redelivery is not a failure', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    const result = await recordAudit(batch(message('m1', domainEvent('ev-ok'))), context);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('answers every message when the whole batch fails, instead of throwing', async () => {
    dynamo.on(PutCommand).rejects(new Error('table unavailable'));
    const result = await recordAudit(batch(message('m1', domainEvent('a')), message('m2', domainEvent('b'))), context);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm2']);
  });
});

describe('the notification consumer', () => {
  beforeEach(() => {
    dynamo.reset();
    ses.reset();
    process.env.MAIL_FROM = 'Taskwell <notifications@taskwell.test>';
    const profiles: Record<string, unknown> = {
      'USER#alice': { entity: 'User', id: 'alice', email: 'alice@example.com', name: 'Alice', status: 'active', version: 1 },
      'USER#bob': { entity: 'User', id: 'bob', email: 'bob@example.com', name: 'Bob', status: 'active', version: 1 },
      'USER#dora': { entity: 'User', id: 'dora', email: 'dora@example.com', name: 'Dora', status: 'active', version: 1 },
      'USER#carol': { entity: 'User', id: 'carol', email: 'carol@example.com', name: 'Carol', status: 'active', version: 1 },
    };
    dynamo.on(GetCommand).callsFake(async (input: { Key: { pk: string; sk: string } }) => ({ Item: input.Key.sk === 'PROFILE' ? profiles[input.Key.pk] : undefined }));
    // Project p1 and its members now (the send-time membership read); carol was removed.
    dynamo.on(BatchGetCommand).callsFake(async (input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => {
      const [table, { Keys }] = Object.entries(input.RequestItems)[0]!;
      const items = Keys.flatMap((key): Record<string, unknown>[] => {
        if (key.pk !== 'PROJECT#p1') return [];
        if (key.sk === 'PROJECT') return [{ ...key, entity: 'Project', id: 'p1', name: 'Launch' }];
        const userId = key.sk.replace('MEMBER#', '');
        return ['alice', 'bob', 'dora'].includes(userId) ? [{ ...key, entity: 'Membership', projectId: 'p1', userId, role: 'editor' }] : [];
      });
      return { Responses: { [table]: items } };
    });
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
  });

  it('sends nothing to a member removed from the project, reading the memberships once per event', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ok' });
    const toCarol = domainEvent('ev-carol', { projectId: 'p1', after: { id: 'task-c', projectId: 'p1', title: 'Plan', assigneeId: 'carol', createdBy: 'alice', status: 'todo' } });
    const result = await sendNotifications(batch(message('m1', toCarol)), context);
    expect(result.batchItemFailures).toEqual([]);
    expect(ses.commandCalls(SendEmailCommand)).toEqual([]);
    expect(dynamo.commandCalls(PutCommand)).toEqual([]);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('returns exactly the message whose email SES refused, and sent the others', async () => {
    ses.on(SendEmailCommand).callsFake(async (input: { Destination: { ToAddresses: string[] } }) => {
      if (input.Destination.ToAddresses[0] === 'dora@example.com') throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
      return { MessageId: 'ok' };
    });
    const inProject = { projectId: 'p1' };
    const toDora = domainEvent('ev-dora', { ...inProject, after: { id: 'task-d', projectId: 'p1', title: 'Plan', assigneeId: 'dora', createdBy: 'alice', status: 'todo' } });
    const toBob = domainEvent('ev-bob', { ...inProject, after: { id: 'task-ev-bob', projectId: 'p1', title: 'Write', assigneeId: 'bob', createdBy: 'alice', status: 'todo' } });
    const result = await sendNotifications(batch(message('m1', toBob), message('m2', toDora), message('m3', '[]')), context);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm3']);
    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sent.map((e) => e.Destination?.ToAddresses?.[0]).sort()).toEqual(['bob@example.com', 'dora@example.com']);
    expect(sent[0]!.FromEmailAddress).toBe('Taskwell <notifications@taskwell.test>');
    expect(sent[0]!.Content?.Simple?.Body?.Html?.Data).toContain('<strong>Alice assigned you “Write”</strong>');
    expect(sent[0]!.Content?.Simple?.Body?.Text?.Data).toContain('Alice assigned you “Write”.');
    // Dora's claimed email was given back, so the retry can send it.
    const releases = dynamo.commandCalls(UpdateCommand).filter((c) => c.args[0].input.ConditionExpression === '#email = :sending');
    expect(releases).toHaveLength(1);
  });
});
