// Bundled in place of @smithy/core/event-streams (an esbuild alias in TaskwellFunction). The SDK's protocol code loads
// it with a dynamic import() only for operations that stream events (Bedrock, Transcribe, S3 SelectObjectContent…);
// none of the clients we bundle (DynamoDB, SQS, SES, Cognito, Step Functions, EventBridge) has one, yet esbuild
// inlines the target of every import() into the bundle: ~15 KB of each function. Used anyway, it says why it fails.
const unsupported = (): never => {
  throw new Error('AWS SDK event streams are not bundled (lib/bundling/no-event-streams.ts): remove the alias in TaskwellFunction to use them');
};

export class EventStreamSerde {
  constructor() {
    unsupported();
  }
}
export const eventStreamSerdeProvider = unsupported;
