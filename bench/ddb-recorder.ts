// Records what a DynamoDB client sends: one entry per API call (the operation, its table/index, and the
// consumed capacity when asked for). Attached as client middleware, so it sees exactly what the handlers'
// stores send — including the Powertools idempotency layer, which shares the store's client. Only calls made
// inside `record()` (followed through awaits with AsyncLocalStorage) are recorded: the local stack's event
// pipeline uses the same client in the background (stream poller, consumers) and must not leak into a recording.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InitializeHandler, InitializeHandlerArguments, InitializeHandlerOutput, HandlerExecutionContext, MetadataBearer } from '@smithy/types';

export const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
export const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface Capacity {
  /** Capacity units of the call, table and indexes together (RCU for reads, WCU for writes). */
  total: number;
  table: number;
  /** Per secondary index. */
  indexes: Record<string, number>;
}

export interface DdbCall {
  operation: string;
  kind: 'read' | 'write' | 'other';
  table: string;
  index?: string;
  /** Items (keys) a batch or transaction touched. */
  items: number;
  /** The partition key of a single-item call (e.g. `IDEMPOTENCY#create-task`), to tell calls apart. */
  pk?: string;
  consistent: boolean;
  capacity?: Capacity;
  /** The error name when the call failed (a failed condition still consumes write capacity in AWS). */
  error?: string;
}

const NAME = 'taskwellBenchRecorder';

type Input = Record<string, unknown> & {
  TableName?: string;
  IndexName?: string;
  ConsistentRead?: boolean;
  RequestItems?: Record<string, { Keys?: unknown[]; ConsistentRead?: boolean } | unknown[]>;
  TransactItems?: Record<string, { TableName?: string }>[];
};

type ConsumedCapacity = {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
};

const sumCapacity = (consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): Capacity | undefined => {
  if (!consumed) return undefined;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  const result: Capacity = { total: 0, table: 0, indexes: {} };
  for (const c of list) {
    result.total += c.CapacityUnits ?? 0;
    result.table += c.Table?.CapacityUnits ?? 0;
    for (const [name, index] of Object.entries({ ...c.GlobalSecondaryIndexes, ...c.LocalSecondaryIndexes })) {
      result.indexes[name] = (result.indexes[name] ?? 0) + (index.CapacityUnits ?? 0);
    }
  }
  return result;
};

const describe = (operation: string, input: Input): Omit<DdbCall, 'capacity' | 'error'> => {
  const kind = READ_OPERATIONS.has(operation) ? 'read' : WRITE_OPERATIONS.has(operation) ? 'write' : 'other';
  if (input.RequestItems) {
    const tables = Object.keys(input.RequestItems);
    const items = Object.values(input.RequestItems).reduce<number>((n, r) => n + (Array.isArray(r) ? r.length : (r.Keys?.length ?? 0)), 0);
    const consistent = Object.values(input.RequestItems).some((r) => !Array.isArray(r) && r.ConsistentRead === true);
    return { operation, kind, table: tables.join(','), items, consistent };
  }
  if (input.TransactItems) {
    const tables = new Set(input.TransactItems.flatMap((t) => Object.values(t).map((op) => op?.TableName ?? '')));
    return { operation, kind, table: [...tables].join(','), items: input.TransactItems.length, consistent: true };
  }
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  const pk = key?.pk as string | { S?: string } | undefined;
  return {
    operation,
    kind,
    table: input.TableName ?? '',
    index: input.IndexName,
    items: 1,
    consistent: input.ConsistentRead === true,
    pk: typeof pk === 'string' ? pk : pk?.S,
  };
};

interface Recording {
  calls: DdbCall[];
  capacity: boolean;
  /** Business metrics the code under recording emitted (e.g. EmailsSent), by name. */
  metrics: Record<string, number>;
}

/** The one method of Powertools' Metrics the tap wraps. */
export interface MetricsLike {
  addMetric(name: string, unit: never, value: number): void;
}

export class DdbRecorder {
  private readonly storage = new AsyncLocalStorage<Recording>();
  private readonly clients = new Set<DynamoDBClient>();
  private untap?: () => void;

  /** Also counts the business metrics (Powertools `addMetric`) emitted inside a recording, e.g. EmailsSent. */
  tapMetrics(metrics: MetricsLike): void {
    if (this.untap) return;
    const original = metrics.addMetric;
    const storage = this.storage;
    metrics.addMetric = function (this: MetricsLike, name: string, unit: never, value: number) {
      const recording = storage.getStore();
      if (recording) recording.metrics[name] = (recording.metrics[name] ?? 0) + value;
      return original.call(this, name, unit, value);
    };
    this.untap = () => {
      metrics.addMetric = original;
    };
  }

  /** Adds the recording middleware to a client (idempotent). A document client shares its client's stack. */
  attach(client: DynamoDBClient): void {
    if (this.clients.has(client)) return;
    this.clients.add(client);
    client.middlewareStack.add(
      (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
        async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
          const recording = this.storage.getStore();
          if (!recording) return next(args);
          const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          const input = args.input as Input;
          // INDEXES is TOTAL plus the per-index split (which shows what each GSI write costs).
          if (recording.capacity) input.ReturnConsumedCapacity = 'INDEXES';
          const call: DdbCall = describe(operation, input);
          recording.calls.push(call);
          try {
            const result = await next(args);
            call.capacity = sumCapacity((result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
            return result;
          } catch (error) {
            call.error = (error as Error).name;
            throw error;
          }
        },
      { step: 'initialize', name: NAME, priority: 'high', override: true },
    );
  }

  /** Removes the middleware from every client it was added to. */
  detachAll(): void {
    for (const client of this.clients) client.middlewareStack.remove(NAME);
    this.clients.clear();
    this.untap?.();
    this.untap = undefined;
  }

  /**
   * Runs `fn` and returns, with its result or error, the calls it made (and whatever it awaited); `capacity` also
   * asks DynamoDB for the consumed capacity of each call.
   */
  async record<T>(
    fn: () => Promise<T>,
    options: { capacity?: boolean } = {},
  ): Promise<{ calls: DdbCall[]; metrics: Record<string, number>; result?: T; error?: unknown }> {
    const recording: Recording = { calls: [], capacity: options.capacity ?? false, metrics: {} };
    try {
      const result = await this.storage.run(recording, fn);
      return { calls: recording.calls, metrics: recording.metrics, result };
    } catch (error) {
      return { calls: recording.calls, metrics: recording.metrics, error };
    }
  }
}

/** `GetItem → BatchGetItem → PutItem`: the shape of a recorded sequence, for comparing handler and baseline. */
export const callShape = (calls: readonly DdbCall[]): string => calls.map((c) => (c.index ? `${c.operation}(${c.index})` : c.operation)).join(' → ');
