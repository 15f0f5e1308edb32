// vitest globalSetup for test/integration: one in-memory DynamoDB Local and the single table.
import type { TestProject } from 'vitest/node';
import { ensureTable, localDynamoClient, startDynamoDbLocal } from '#local/dynamodb';

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  const client = localDynamoClient(dynamo.endpoint);
  await ensureTable(client, 'taskwell-test');
  client.destroy();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
