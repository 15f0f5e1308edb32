// vitest globalSetup for test/e2e: the whole local stack (in memory, free ports, demo accounts
// seeded), exactly what `npm start` runs; tests talk to it over HTTP (test/support/api-client.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '#local/stack';
import type { LocalStackInfo } from '#test/support/local-stack';

/**
 * The e2e stack's per-user request quota. The suites run in parallel and share the demo accounts (the admin's audit
 * and dashboard polls alone make several requests a second), so the stack allows far more than the default 100;
 * test/e2e/security/quota.test.ts proves the limit at this setting.
 */
export const E2E_REQUEST_QUOTA_PER_MINUTE = 6_000;

export default async function setup(project: TestProject) {
  const runtimeDir = mkdtempSync(join(tmpdir(), 'taskwell-e2e-'));
  const stack = await startLocalStack({
    tableName: 'taskwell-e2e',
    // A failed message comes back after 2 s instead of the declared 2–3 minutes: DLQ tests take seconds.
    queueVisibilityTimeoutSeconds: 2,
    requestQuotaPerMinute: E2E_REQUEST_QUOTA_PER_MINUTE,
    runtimeFile: join(runtimeDir, 'runtime.json'),
    logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    onFatal: (error) => console.error(`[e2e] ${error.message}`),
  });
  if (!stack.jwksPrimed) console.warn('[e2e] the token verifier was not primed with the local JWKS: authenticated routes will fail.');
  for (const problem of stack.seedProblems) console.warn(`[e2e] demo account not seeded: ${problem}`);
  const info: LocalStackInfo = {
    apiUrl: stack.apiUrl,
    mailUrl: stack.mailUrl,
    cognitoEndpoint: stack.cognitoEndpoint,
    dynamoEndpoint: stack.dynamoEndpoint,
    userPoolId: stack.userPoolId,
    userPoolClientId: stack.userPoolClientId,
    confirmationCode: stack.confirmationCode,
    tableName: stack.tableName,
    demoPassword: stack.demoPassword,
    eventBridgeEndpoint: stack.eventBridgeEndpoint,
    eventBusName: stack.eventBusName,
    sqsEndpoint: stack.sqsEndpoint,
    sesEndpoint: stack.sesEndpoint,
    lambdaEndpoint: stack.lambdaEndpoint,
    runtimeFile: stack.runtimeFile!,
    requestQuotaPerMinute: E2E_REQUEST_QUOTA_PER_MINUTE,
  };
  project.provide('localStack', info);
  // The admin console, served by the local gateway on the API's origin (test/browser).
  project.provide('consoleUrl', `${stack.apiUrl}/console/`);
  return async () => {
    await stack.stop();
    rmSync(runtimeDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The console's address, e.g. http://127.0.0.1:41234/console/ */
    consoleUrl: string;
  }
}
