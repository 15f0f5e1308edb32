// setupFiles for test/integration: point the SDK (and so every store) at the DynamoDB Local of globalSetup.
import { inject } from 'vitest';

process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoEndpoint');
process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = inject('dynamoEndpoint');
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.TABLE_NAME = 'taskwell-test';
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
// Nothing of the e2e stack (started in vitest's main process) may reach these tests: DynamoDB Local only.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('AWS_ENDPOINT_URL') && !name.startsWith('AWS_ENDPOINT_URL_DYNAMODB')) delete process.env[name];
}
for (const name of ['EVENT_BUS_NAME', 'MAIL_FROM', 'APP_URL', 'STATE_MACHINE_ARN', 'QUEUE_PREFIX']) delete process.env[name];
