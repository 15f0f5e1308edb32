// The deployment's DLQs for the admin routes, over the operations `npm run dlq` uses (shared/ops/dlq.ts). The queue
// prefix comes from QUEUE_PREFIX (the stateful stack's name in AWS, `taskwell` locally) and the endpoint from the
// SDK's AWS_ENDPOINT_URL_SQS; the function may touch exactly these queues (TaskwellFunction, grants.dlqs).
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DlqMessage, DlqPort, DlqSummary } from '#shared/domain/admin';
import type { DlqDepth } from '#shared/domain/stats';
import {
  catalogue,
  eventOf,
  lookupDlq,
  messagesIn,
  peek,
  queueCounts,
  QueueDirectory,
  redrive,
  view,
  type DlqContext,
  type DlqEntry,
} from '#shared/ops/dlq';

/** Messages one redrive request moves at most, and how long it may take new ones: the API answers within 10 s. */
export const REDRIVE_MAX_PER_REQUEST = 100;
export const REDRIVE_TIME_BUDGET_MS = 6_000;

const sqs = new SQSClient({});

const queuePrefix = (): string => {
  const prefix = process.env.QUEUE_PREFIX;
  if (!prefix) throw new Error('QUEUE_PREFIX is not set');
  return prefix;
};

let cached: { prefix: string; ctx: DlqContext; directory: QueueDirectory; dlqs: DlqEntry[] } | undefined;
/** Built on first use (module scope: queue URLs are looked up once per execution environment). */
const context = () => {
  const prefix = queuePrefix();
  if (cached?.prefix !== prefix) {
    // Counts as SQS defines them: ApproximateNumberOfMessages excludes in-flight messages.
    const ctx: DlqContext = { sqs, queuePrefix: prefix, countsIncludeInFlight: false };
    cached = { prefix, ctx, directory: new QueueDirectory(ctx), dlqs: catalogue(prefix) };
  }
  return cached;
};

const list = async (): Promise<DlqSummary[]> => {
  const { ctx, directory, dlqs } = context();
  return Promise.all(
    dlqs.map(async (dlq) => ({
      name: dlq.name,
      kind: dlq.kind,
      messages: messagesIn(await queueCounts(ctx, await directory.get(dlq.name))),
      redrivesTo: dlq.redrivesTo,
    })),
  );
};

const toMessage = (dlq: DlqEntry, message: Parameters<typeof view>[1]): DlqMessage => {
  const v = view(dlq, message);
  return {
    messageId: v.messageId,
    receiveCount: v.receiveCount,
    // SQS always stamps SentTimestamp; the fallbacks only guard a malformed answer.
    sentAt: v.sentAt ?? v.firstReceivedAt ?? new Date(0).toISOString(),
    summary: v.headline,
    ...(dlq.kind === 'publisher' ? {} : eventOf(v.body)),
    body: message.Body ?? '',
  };
};

const peekMessages = async (dlq: DlqEntry, max: number): Promise<DlqMessage[]> => {
  const { ctx, directory } = context();
  const url = await directory.get(dlq.name);
  const counts = await queueCounts(ctx, url);
  return (await peek(ctx, url, max, counts.visible)).map((m) => toMessage(dlq, m));
};

const redriveMessages = async (dlq: DlqEntry): Promise<{ moved: number; kept: number }> => {
  const { ctx, directory } = context();
  const result = await redrive(ctx, directory, dlq, { max: REDRIVE_MAX_PER_REQUEST, deadline: Date.now() + REDRIVE_TIME_BUDGET_MS });
  return { moved: result.moved.length, kept: result.kept.length };
};

export const sqsDlqs: DlqPort = {
  find: (name) => lookupDlq(context().dlqs, name),
  list,
  peek: peekMessages,
  redrive: redriveMessages,
};

/** The depth of every DLQ, for the dashboard. */
export const dlqDepths = async (): Promise<DlqDepth[]> => (await list()).map(({ name, messages }) => ({ name, messages }));
