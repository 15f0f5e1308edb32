// What `npm run dlq` says when it cannot do what was asked: what went wrong, why, and what to do about it.

export class DlqProblem extends Error {
  constructor(
    /** What went wrong, in one line. */
    readonly title: string,
    /** Why (what was found). */
    readonly detail: string,
    /** What the operator can do about it. */
    readonly hint: string,
    /** 2 for a usage mistake, 1 for everything else. */
    readonly exitCode = 1,
  ) {
    super(title);
    this.name = 'DlqProblem';
  }

  render(): string {
    return `error: ${this.title}\n  why:  ${this.detail.replaceAll('\n', '\n        ')}\n  fix:  ${this.hint.replaceAll('\n', '\n        ')}\n`;
  }
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);

const errorCode = (error: unknown): string | undefined => {
  const e = error as { name?: string; code?: string; Code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code ?? e?.Code ?? e?.name;
};

/** Turns what the SDK throws about the connection, the credentials or the region into a DlqProblem. */
export const explainSdkError = (error: unknown, where: { kind: 'local' | 'aws'; label: string; endpoint?: string }): unknown => {
  if (error instanceof DlqProblem) return error;
  const name = (error as Error)?.name ?? '';
  const message = (error as Error)?.message ?? String(error);
  const code = errorCode(error);
  if (where.kind === 'local' && (code === 'ECONNREFUSED' || code === 'ECONNRESET' || /ECONNREFUSED/.test(message))) {
    return new DlqProblem(
      `the local stack does not answer${where.endpoint ? ` at ${where.endpoint}` : ''}`,
      `${where.label} names this endpoint, but nothing accepts connections there (${code ?? message}).`,
      'Start the local stack with `npm start` (it rewrites runtime.json), or pass --endpoint-file <runtime.json> of a running one.',
    );
  }
  if (where.kind === 'aws' && (CREDENTIAL_ERRORS.has(name) || /could not load credentials|credential/i.test(message))) {
    return new DlqProblem(
      'no usable AWS credentials',
      `The default credential chain (environment, AWS_PROFILE/~/.aws, SSO, instance or container role) gave none that AWS accepts: ${message}`,
      'Sign in first, e.g. `aws sso login --profile <p>` then `AWS_PROFILE=<p> npm run dlq -- --aws`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (where.kind === 'aws' && /region is missing/i.test(message)) {
    return new DlqProblem(
      'no AWS region',
      'Neither --region, AWS_REGION nor the profile names a region.',
      'Pass --region <region> (the region the stacks are deployed to), or set AWS_REGION.',
    );
  }
  if (where.kind === 'aws' && (name === 'AccessDenied' || name === 'AccessDeniedException' || /not authorized/i.test(message))) {
    return new DlqProblem(
      'AWS refused the request',
      message,
      'Use credentials allowed sqs:GetQueueUrl, GetQueueAttributes, ReceiveMessage, SendMessage, DeleteMessage, ChangeMessageVisibility on the Taskwell queues, and for publisher replay dynamodb:GetShardIterator/GetRecords on the table stream and lambda:InvokeFunction on the publisher.',
    );
  }
  return error;
};
