// BatchGetItem of up to 100 keys of our table, retrying the keys DynamoDB leaves unprocessed (under throttling it
// answers part of a batch) with exponential backoff; gives up with an error after a few attempts.
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#shared/store/client';

type Key = Record<string, string>;
type Item = Record<string, unknown>;

const MAX_BATCH_ATTEMPTS = 5;

/** The items found for `requestKeys`, in no particular order; `consistent` asks for strongly consistent reads. */
export const batchGetItems = async (requestKeys: Key[], { consistent }: { consistent: boolean }): Promise<Item[]> => {
  const table = tableName();
  const items: Item[] = [];
  let pending: Key[] = requestKeys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const output: BatchGetCommandOutput = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...(consistent ? { ConsistentRead: true } : {}) } } }),
    );
    items.push(...((output.Responses?.[table] ?? []) as Item[]));
    pending = (output.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
  }
  return items;
};
