// Domain errors are values with meaning; shared/http/problem.ts is the one place that maps them to HTTP.

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.title` or `query.limit`. */
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: 'not-found' | 'conflict' | 'forbidden' | 'validation-failed' | 'unauthorized' | 'unprocessable' | 'too-many-requests';
  /** A more specific, stable problem type than the kind (e.g. `user-disabled`); clients may switch on it. */
  readonly code?: string;
  /** Extra members of the problem answer, for a client to act on (never internal details). */
  readonly extensions?: Record<string, unknown>;
}

/** The thing does not exist — or exists but the caller may not know it does. */
export class NotFound extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(readonly entity: string, message = `${entity} not found`) {
    super(message);
  }
}

/** A stale version, a duplicate, or a rule that the current state forbids (e.g. the last owner leaving). */
export class Conflict extends DomainError {
  readonly kind = 'conflict' as const;
  constructor(message: string, readonly detail: Record<string, unknown> = {}) {
    super(message);
  }
}

/** The caller may see the thing but not do this to it (e.g. a viewer editing). */
export class Forbidden extends DomainError {
  readonly kind = 'forbidden' as const;
}

/** Input that is well-formed but breaks a rule (e.g. an assignee who is not a member). */
export class ValidationFailed extends DomainError {
  readonly kind = 'validation-failed' as const;
  constructor(message: string, readonly errors: FieldError[] = []) {
    super(message);
  }
}

/** Bad credentials or an unusable token. */
export class Unauthorized extends DomainError {
  readonly kind = 'unauthorized' as const;
}

/** The request is understood but cannot be processed as sent (e.g. an idempotency key reused with another body). */
export class Unprocessable extends DomainError {
  readonly kind = 'unprocessable' as const;
}

export class TooManyRequests extends DomainError {
  readonly kind = 'too-many-requests' as const;
  /** Seconds the client should wait before retrying (sent as `Retry-After`), when known. */
  constructor(message?: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}
