// vitest globalSetup for test/e2e: the whole local stack (in memory, free ports, demo accounts
// seeded), exactly what `npm start` runs; tests talk to it over HTTP (test/support/api-client.ts).
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '#local/stack';
import type { LocalStackInfo } from '#test/support/local-stack';

export default async function setup(project: TestProject) {
  const stack = await startLocalStack({
    tableName: 'taskwell-e2e',
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
  };
  project.provide('localStack', info);
  return () => stack.stop();
}
