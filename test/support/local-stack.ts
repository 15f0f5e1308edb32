// What the e2e globalSetup (test/support/e2e-setup.ts) started, as seen from a test file, plus
// direct handles on the emulators for what a test cannot do through the API (an admin disabling a
// user in Cognito, reading the mail the system sent).
import { inject } from 'vitest';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/** Serializable facts about the running local stack (provided by the e2e globalSetup). */
export interface LocalStackInfo {
  apiUrl: string;
  mailUrl: string;
  cognitoEndpoint: string;
  dynamoEndpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  confirmationCode: string;
  tableName: string;
  demoPassword: string;
  /** The event pipeline's local services. */
  eventBridgeEndpoint: string;
  eventBusName: string;
  sqsEndpoint: string;
  sesEndpoint: string;
  lambdaEndpoint: string;
  /** Where `npm run dlq -- --endpoint-file <path>` finds this stack (runtime.json). */
  runtimeFile: string;
  /** Requests per minute each user may make on authenticated routes. */
  requestQuotaPerMinute: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: LocalStackInfo;
  }
}

export const localStack = (): LocalStackInfo => inject('localStack');

let cognito: CognitoIdentityProviderClient | undefined;
/** An admin client on cognito-local (e.g. AdminDisableUserCommand with `UserPoolId: localStack().userPoolId`). */
export const cognitoAdmin = (): CognitoIdentityProviderClient =>
  (cognito ??= new CognitoIdentityProviderClient({
    endpoint: localStack().cognitoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }));

export interface SentMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** The mail the system has sent through SES so far (aws-ses-v2-local's `GET /store`). */
export const sentMail = async (): Promise<SentMail[]> => {
  const response = await fetch(`${localStack().mailUrl}/store`);
  const store = (await response.json()) as { emails: SentMail[] };
  return store.emails;
};

export interface SesFaults {
  failNext?: number;
  failAll?: boolean;
  /** Recipient addresses whose mail SES refuses. */
  failFor?: string[];
  code?: string;
  status?: number;
}

const faultsUrl = () => `${localStack().sesEndpoint}/_local/faults`;

/** Makes the local SES fail (the fault proxy in front of the mail viewer); replaces earlier faults. */
export const setSesFaults = async (faults: SesFaults): Promise<void> => {
  const response = await fetch(faultsUrl(), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`PUT /_local/faults answered ${response.status}`);
};

/** The faults in force and how many requests they failed so far. */
export const sesFaults = async (): Promise<SesFaults & { failed: number }> => {
  const response = await fetch(faultsUrl());
  return (await response.json()) as SesFaults & { failed: number };
};

export const clearSesFaults = async (): Promise<void> => {
  await fetch(faultsUrl(), { method: 'DELETE' });
};
