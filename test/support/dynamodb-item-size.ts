// An item's size as DynamoDB bills it (write units are per started KB of it), by the rules of
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html:
// attribute names + values; strings are UTF-8 bytes, binaries raw bytes, a number about one byte per two
// significant digits plus one, null and booleans one byte, a list or map 3 bytes plus one per element.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

const numberSize = (n: string) => {
  const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1 + (n.startsWith('-') ? 1 : 0);
};

const valueSize = (v: AttributeValue): number => {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.byteLength, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [name, e]) => n + 1 + utf8(name) + valueSize(e), 0);
  throw new Error(`Unknown attribute value ${JSON.stringify(v)}`);
};

/** Bytes of an item as the document client writes it (plain JS values; Uint8Array → Binary). */
export const dynamoItemSize = (item: Record<string, unknown>): number =>
  Object.entries(marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false })).reduce((n, [name, v]) => n + utf8(name) + valueSize(v), 0);

/** Write units of one copy of the item: one per started KB. */
export const writeUnits = (item: Record<string, unknown>): number => Math.max(1, Math.ceil(dynamoItemSize(item) / 1024));
