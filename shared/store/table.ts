// The single table's shape, declared once: the CDK stateful stack and the local runtime both build from it.
import { INDEX } from '#shared/store/keys';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: INDEX.byContainer, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: INDEX.byAssignee, partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  /** Epoch seconds; tombstones, idempotency records and (later) notifications expire through it. */
  ttlAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
} as const;
