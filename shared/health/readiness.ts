// What GET /v1/health waits for besides the function itself. A host that brings the service up in steps (the
// local runtime seeds accounts, primes the token verifier and starts the event pipeline after the API listens)
// registers a check naming what is not ready yet; health answers 503 until the list is empty. In AWS nothing
// registers one: a function that can answer is ready, and health stays a liveness check.

/** What is not ready yet, in words (empty: ready). */
export type ReadinessCheck = () => readonly string[];

let check: ReadinessCheck | undefined;

/** Registers (or, with undefined, removes) the host's readiness check. */
export const setReadinessCheck = (next: ReadinessCheck | undefined): void => {
  check = next;
};

/** What the registered check says is not ready yet; empty when ready or when no check is registered. */
export const notReady = (): readonly string[] => check?.() ?? [];
