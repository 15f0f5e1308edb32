// A local stand-in for the EventBridge API the publisher calls: an HTTP server speaking the JSON 1.1
// protocol of @aws-sdk/client-eventbridge (`X-Amz-Target: AWSEvents.<Operation>`, content type
// application/x-amz-json-1.1). PutEvents validates entries like the service, wraps each accepted one
// in the EventBridge envelope and hands it to every rule of its bus whose pattern matches
// (shared/events/pattern-matcher.ts), through the `deliver` callback of whoever started the server.
// TestEventPattern is answered too. Point a client at it with AWS_ENDPOINT_URL_EVENTBRIDGE.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { InvalidPatternError, matches, parseEventJson, validatePattern, type EventPattern } from '#shared/events/pattern-matcher';
import { EVENT_SOURCE } from '#shared/events/schemas';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/lambda';
import { listenOnLoopback } from '#local/ports';

/** The event as EventBridge hands it to a rule's targets. */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A domain event as the local bus hands it to a rule's target: what a test or the bench puts straight into a queue or its DLQ. */
export const asTargetEvent = (detail: { type: string; occurredAt: string }): EventBridgeEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': detail.type,
  source: EVENT_SOURCE,
  account: LOCAL_ACCOUNT_ID,
  time: detail.occurredAt,
  region: LOCAL_REGION,
  resources: [],
  detail,
});

export interface LocalRule<Target = unknown> {
  name: string;
  /** A bus name or ARN; `default` is the default bus. */
  eventBusName: string;
  pattern: EventPattern;
  targets: readonly Target[];
}

export interface LocalEventBridgeOptions<Target = unknown> {
  /** Port to listen on (loopback); omitted → a free one. */
  port?: number;
  rules: readonly LocalRule<Target>[];
  /** Called once per (matching rule, target) for each accepted event, before PutEvents answers. */
  deliver: (ruleName: string, target: Target, event: EventBridgeEvent) => unknown;
  /** A delivery that throws does not fail the PutEvents entry (as in AWS); it is reported here (default: console.error). */
  onDeliveryError?: (error: unknown, delivery: { ruleName: string; target: Target; event: EventBridgeEvent }) => void;
  account?: string;
  region?: string;
}

export interface InjectedFailure {
  /** PutEventsResultEntry ErrorCode; InternalFailure and ThrottlingException are the retryable ones. */
  code?: string;
  message?: string;
}

export interface LocalEventBridge {
  endpoint: string;
  /** The next `count` otherwise valid PutEvents entries fail with `code` (default InternalFailure) and are not delivered. */
  failNext(count: number, failure?: InjectedFailure): void;
  /** The next `count` requests fail whole with HTTP 500 InternalFailure (the SDK retries those itself). */
  failNextRequests(count: number): void;
  /** Every event accepted so far, in order. */
  readonly events: readonly EventBridgeEvent[];
  stop(): Promise<void>;
}

/** The service's limits (PutEvents API reference; "Calculating PutEvents event entry size"). */
export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

const JSON_11 = 'application/x-amz-json-1.1';

class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface RequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  Time?: unknown;
  EventBusName?: unknown;
  TraceHeader?: unknown;
}

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const utf8 = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);

/** Entry size as the guide computes it: Time 14 bytes, then Source, DetailType, Detail and each resource in UTF-8. */
export const entrySize = (entry: RequestEntry): number =>
  (entry.Time !== undefined ? 14 : 0) +
  utf8(entry.Source) +
  utf8(entry.DetailType) +
  utf8(entry.Detail) +
  (Array.isArray(entry.Resources) ? entry.Resources.reduce((sum: number, r) => sum + utf8(r), 0) : 0);

const busName = (nameOrArn: unknown): string => {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') return 'default';
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
};

/** EventBridge writes times without milliseconds: 2017-12-22T18:43:48Z. */
const eventTime = (time: unknown): string | undefined => {
  const date = typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date();
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
};

const invalid = (parameter: string, reason: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}` });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks one entry like the service; answers the envelope (and the detail with number lexemes, for matching) or the error. */
const checkEntry = (entry: unknown, account: string, region: string) => {
  if (!isObject(entry)) return { error: invalid('Entry', 'Entry must be an object.') };
  const e = entry as RequestEntry;
  for (const [name, value] of [['Source', e.Source], ['DetailType', e.DetailType], ['Detail', e.Detail]] as const) {
    if (typeof value !== 'string' || value.trim() === '') return { error: invalid(name, `${name} is a required argument.`) };
  }
  if (e.Resources !== undefined && !(Array.isArray(e.Resources) && e.Resources.every((r) => typeof r === 'string'))) {
    return { error: invalid('Resources', 'Resources must be a list of strings.') };
  }
  const time = eventTime(e.Time);
  if (time === undefined) return { error: invalid('Time', 'Time is not a valid timestamp.') };
  let matchDetail: unknown;
  try {
    matchDetail = parseEventJson(e.Detail as string);
  } catch {
    return { error: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } };
  }
  if (!isObject(matchDetail)) return { error: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } };
  const event: EventBridgeEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': e.DetailType as string,
    source: e.Source as string,
    account,
    time,
    region,
    resources: (e.Resources as string[] | undefined) ?? [],
    detail: JSON.parse(e.Detail as string) as Record<string, unknown>,
  };
  return { event, matchEvent: { ...event, detail: matchDetail }, bus: busName(e.EventBusName) };
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_11, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
};

export const startLocalEventBridge = async <Target>(options: LocalEventBridgeOptions<Target>): Promise<LocalEventBridge> => {
  for (const rule of options.rules) {
    try {
      validatePattern(rule.pattern);
    } catch (error) {
      throw new Error(`Rule ${rule.name}: ${(error as Error).message}`);
    }
  }
  const account = options.account ?? LOCAL_ACCOUNT_ID;
  const region = options.region ?? LOCAL_REGION;
  const onDeliveryError =
    options.onDeliveryError ?? ((error, d) => console.error(`[eventbridge] delivery of ${d.event.id} to rule ${d.ruleName} failed:`, error));
  const accepted: EventBridgeEvent[] = [];
  const injected: InjectedFailure[] = [];
  let failingRequests = 0;

  const deliverToRules = async (bus: string, event: EventBridgeEvent, matchEvent: Record<string, unknown>) => {
    for (const rule of options.rules) {
      if (busName(rule.eventBusName) !== bus || !matches(rule.pattern, matchEvent)) continue;
      for (const target of rule.targets) {
        try {
          await options.deliver(rule.name, target, event);
        } catch (error) {
          onDeliveryError(error, { ruleName: rule.name, target, event });
        }
      }
    }
  };

  const putEvents = async (input: Record<string, unknown>) => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new ServiceError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    const total = entries.reduce((sum: number, entry) => sum + (isObject(entry) ? entrySize(entry) : 0), 0);
    if (total > MAX_REQUEST_BYTES) throw new ServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
    const results: ResultEntry[] = [];
    for (const entry of entries) {
      const checked = checkEntry(entry, account, region);
      if ('error' in checked) {
        results.push(checked.error!);
        continue;
      }
      const failure = injected.shift();
      if (failure) {
        results.push({ ErrorCode: failure.code ?? 'InternalFailure', ErrorMessage: failure.message ?? 'Injected failure (local EventBridge).' });
        continue;
      }
      accepted.push(checked.event);
      await deliverToRules(checked.bus, checked.event, checked.matchEvent);
      results.push({ EventId: checked.event.id });
    }
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const testEventPattern = (input: Record<string, unknown>) => {
    try {
      const pattern = JSON.parse(String(input.EventPattern)) as unknown;
      validatePattern(pattern);
      const event = parseEventJson(String(input.Event));
      if (!isObject(event)) throw new ServiceError('InvalidEventPatternException', 'Event is not a JSON object.');
      return { Result: matches(pattern as EventPattern, event) };
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      const message = error instanceof InvalidPatternError ? error.message : `Event pattern is not valid. Reason: ${(error as Error).message}`;
      throw new ServiceError('InvalidEventPatternException', message);
    }
  };

  const server = createServer(async (req, res) => {
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = await readBody(req);
      if (failingRequests > 0) {
        failingRequests--;
        throw new ServiceError('InternalFailure', 'Injected request failure (local EventBridge).', 500);
      }
      if (req.method !== 'POST' || !target.startsWith('AWSEvents.')) throw new ServiceError('UnknownOperationException', `Unknown operation ${target}`);
      let input: unknown;
      try {
        input = body === '' ? {} : JSON.parse(body);
      } catch {
        throw new ServiceError('SerializationException', 'The request body is not valid JSON.');
      }
      if (!isObject(input)) throw new ServiceError('SerializationException', 'The request body is not a JSON object.');
      const operation = target.slice('AWSEvents.'.length);
      if (operation === 'PutEvents') return send(res, 200, await putEvents(input));
      if (operation === 'TestEventPattern') return send(res, 200, testEventPattern(input));
      throw new ServiceError('UnknownOperationException', `The local EventBridge does not implement ${operation}.`);
    } catch (error) {
      const e = error instanceof ServiceError ? error : new ServiceError('InternalFailure', 'Internal failure.', 500);
      if (!(error instanceof ServiceError)) console.error('[eventbridge]', error);
      send(res, e.status, { __type: e.code, message: e.message });
    }
  });

  const port = await listenOnLoopback(server, options.port);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(count, failure = {}) {
      for (let i = 0; i < count; i++) injected.push(failure);
    },
    failNextRequests(count) {
      failingRequests += count;
    },
    events: accepted,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};
