// setupFiles for test/unit: no network; clients are mocked with aws-sdk-client-mock.
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'unit';
process.env.AWS_SECRET_ACCESS_KEY = 'unit';
process.env.TABLE_NAME = 'taskwell-unit';
process.env.USER_POOL_ID = 'us-east-1_unittest1';
process.env.USER_POOL_CLIENT_ID = 'unittestclient';
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
// The e2e globalSetup runs the local stack in vitest's main process and sets its endpoints there;
// unit tests must never reach them.
for (const name of Object.keys(process.env)) if (name.startsWith('AWS_ENDPOINT_URL')) delete process.env[name];
// The same for the event pipeline's configuration: unit tests see the defaults a function has without it.
for (const name of ['EVENT_BUS_NAME', 'MAIL_FROM', 'APP_URL', 'STATE_MACHINE_ARN', 'QUEUE_PREFIX', 'REQUEST_QUOTA_PER_MINUTE', 'ADMIN_MFA_REQUIRED']) delete process.env[name];
