// The per-user request quota: at most `limit` requests in a window of `windowSeconds` that opens with the user's
// first request (the counter is shared/store/quota-store.ts; the authorizer counts every authenticated request).
// Pure: the decision and the RateLimit / RateLimit-Policy header fields (IETF draft-ietf-httpapi-ratelimit-headers).

export interface QuotaPolicy {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export const DEFAULT_QUOTA: QuotaPolicy = { limit: 100, windowSeconds: 60 };

/** The counter after this request: how many requests the window holds, and when it opened (epoch seconds). */
export interface QuotaCount {
  count: number;
  windowStart: number;
}

export interface QuotaState {
  limit: number;
  windowSeconds: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** Seconds until the window closes (at least 1). */
  resetSeconds: number;
  exceeded: boolean;
}

/** The quota from a setting such as `REQUEST_QUOTA_PER_MINUTE`: a positive integer, else the default. */
export const quotaPolicy = (perMinute: string | undefined): QuotaPolicy => {
  const limit = Number(perMinute);
  return Number.isInteger(limit) && limit > 0 ? { limit, windowSeconds: 60 } : DEFAULT_QUOTA;
};

export const quotaState = (policy: QuotaPolicy, counted: QuotaCount, nowSeconds: number): QuotaState => ({
  limit: policy.limit,
  windowSeconds: policy.windowSeconds,
  remaining: Math.max(0, policy.limit - counted.count),
  resetSeconds: Math.max(1, counted.windowStart + policy.windowSeconds - nowSeconds),
  exceeded: counted.count > policy.limit,
});

/** The policy's name in the RateLimit header fields. */
export const QUOTA_POLICY_NAME = 'per-user';

/** `RateLimit-Policy` and `RateLimit` (structured fields), and `Retry-After` when the quota is exceeded. */
export const quotaHeaders = (state: QuotaState): Record<string, string> => ({
  'ratelimit-policy': `"${QUOTA_POLICY_NAME}";q=${state.limit};w=${state.windowSeconds}`,
  ratelimit: `"${QUOTA_POLICY_NAME}";r=${state.remaining};t=${state.resetSeconds}`,
  ...(state.exceeded ? { 'retry-after': String(state.resetSeconds) } : {}),
});
