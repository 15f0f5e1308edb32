// What-if stand-in for @aws-lambda-powertools/idempotency (bench only, through an esbuild alias) in bundles of
// functions that never use it: models moving the idempotency middleware out of shared/http/handler.ts into a
// wrapper that only the create handlers import. Importable, and throws if anything actually reaches it.
const unused = (): never => {
  throw new Error('idempotency is not bundled in this what-if build');
};
export class IdempotencyConfig {
  constructor() {
    unused();
  }
}
export class DynamoDBPersistenceLayer {
  constructor() {
    unused();
  }
}
export class IdempotencyAlreadyInProgressError extends Error {}
export class IdempotencyValidationError extends Error {}
export const makeHandlerIdempotent = (): never => unused();
