// Cognito, offline: the `cognito-local` emulator run as a child process, with one user pool shaped
// like the CDK one (AWS-shaped id, the real issuer form, email as username, the password policy,
// the `admins` group, a public app client with USER_PASSWORD_AUTH, optional MFA with TOTP only).
// local/cognito-local-fidelity.cjs is preloaded into it: it makes the MFA sign-in behave as Cognito's.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ADMIN_GROUP } from '#shared/http/caller';
import { freePort, waitFor } from '#local/ports';
import { localCredentials } from '#local/dynamodb';
import { spawnTethered } from '#local/tether';

/** Matches aws-jwt-verify's user-pool-id pattern, so the production verifier runs unchanged. */
export const LOCAL_USER_POOL_ID = 'us-east-1_TaskwellL0';
/** The issuer domain real Cognito uses in us-east-1: tokens carry `iss = <this>/<poolId>`. */
export const COGNITO_ISSUER_DOMAIN = 'https://cognito-idp.us-east-1.amazonaws.com';
export const LOCAL_CLIENT_NAME = 'taskwell-local';
export const DEFAULT_CONFIRMATION_CODE = '123456';

/** Mirrors the CDK user pool's password policy (lib/): min 12, upper, lower, digit, symbol. */
export const PASSWORD_POLICY = {
  MinimumLength: 12,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

export interface CognitoLocal {
  endpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  process: ChildProcess;
  /** The tail of the emulator's output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface CognitoLocalOptions {
  port?: number;
  /** Where cognito-local keeps `.cognito/config.json` and `.cognito/db/*.json`. */
  dataDir: string;
  /** The code every confirmation / verification sends (cognito-local reads it from `CODE`). */
  confirmationCode?: string;
  /** Also append the emulator's log here (npm start); tests keep only an in-memory tail. */
  logFile?: string;
}

export const localCognitoClient = (endpoint: string): CognitoIdentityProviderClient =>
  new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', credentials: localCredentials });

const writeConfig = (dataDir: string, port: number): void => {
  const configDir = join(dataDir, '.cognito');
  const dbDir = join(configDir, 'db');
  mkdirSync(dbDir, { recursive: true });
  const config = {
    // Applied by cognito-local when it initialises a pool file that is still empty (see below).
    UserPoolDefaults: {
      Name: 'taskwell-local',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: { PasswordPolicy: PASSWORD_POLICY },
    },
    TokenConfig: { IssuerDomain: COGNITO_ISSUER_DOMAIN },
    ServerConfig: { port, hostname: '127.0.0.1', development: false, https: false },
  };
  writeFileSync(join(configDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  // CreateUserPool would invent a `local_xxxx` id; a pool is just `db/<poolId>.json`, and an empty
  // one is filled by cognito-local with AWS defaults + UserPoolDefaults at start-up.
  const poolFile = join(dbDir, `${LOCAL_USER_POOL_ID}.json`);
  if (!existsSync(poolFile)) writeFileSync(poolFile, '{}');
};

const ensureGroupAndClient = async (client: CognitoIdentityProviderClient): Promise<string> => {
  // As the CDK pool: MFA optional, authenticator apps (TOTP) only. Set on every start (a pool file made before keeps OFF).
  await client.send(new SetUserPoolMfaConfigCommand({ UserPoolId: LOCAL_USER_POOL_ID, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
  // ListGroups, not GetGroup: cognito-local's GetGroup crashes (500) on a pool without groups.
  const groups = await client.send(new ListGroupsCommand({ UserPoolId: LOCAL_USER_POOL_ID }));
  if (!groups.Groups?.some((g) => g.GroupName === ADMIN_GROUP)) {
    // Only when missing: cognito-local's CreateGroup would overwrite the group's members.
    await client.send(new CreateGroupCommand({ UserPoolId: LOCAL_USER_POOL_ID, GroupName: ADMIN_GROUP, Description: 'Taskwell administrators' }));
  }
  const existing = await client.send(new ListUserPoolClientsCommand({ UserPoolId: LOCAL_USER_POOL_ID, MaxResults: 60 }));
  const found = existing.UserPoolClients?.find((c) => c.ClientName === LOCAL_CLIENT_NAME)?.ClientId;
  if (found) return found;
  const created = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: LOCAL_USER_POOL_ID,
      ClientName: LOCAL_CLIENT_NAME,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      EnableTokenRevocation: true,
      // Cognito's defaults (and the CDK client's): 1 h access and ID tokens, 30 d refresh tokens.
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 30,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  const id = created.UserPoolClient?.ClientId;
  if (!id) throw new Error('cognito-local did not return an app client id');
  return id;
};

/** Starts cognito-local on `port` (or a free one) with its data under `dataDir`. */
export const startCognitoLocal = async (options: CognitoLocalOptions): Promise<CognitoLocal> => {
  const port = options.port ?? (await freePort());
  writeConfig(options.dataDir, port);
  // cognito-local's own bin, started through a wrapper that adds Cognito's session claims (origin_jti, a stable
  // auth_time), with the MFA fidelity fixes preloaded.
  const entry = fileURLToPath(new URL('./cognito-local-sessions.cjs', import.meta.url));
  const fidelity = fileURLToPath(new URL('./cognito-local-fidelity.cjs', import.meta.url));
  const child = spawnTethered(process.execPath, ['--require', fidelity, entry], {
    cwd: options.dataDir, // cognito-local reads `./.cognito`
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      CODE: options.confirmationCode ?? DEFAULT_CONFIRMATION_CODE,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let log: WriteStream | undefined;
  if (options.logFile) log = createWriteStream(options.logFile, { flags: 'a' });
  const capture = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8_000);
    log?.write(chunk);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  child.once('error', () => undefined);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`cognito-local exited (${signal ?? code}) during start-up:\n${tail}`))),
  );
  exited.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localCognitoClient(endpoint);
  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        log?.end();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      // The watchdog SIGKILLs cognito-local 5 s after the SIGTERM; this only ends a watchdog that hangs.
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        done();
      });
      child.kill('SIGTERM');
    });
  try {
    // Slow to start on a busy machine: give it as long as DynamoDB Local.
    await Promise.race([waitFor('cognito-local', () => fetch(`${endpoint}/health`).then((r) => (r.ok ? r : Promise.reject(new Error(String(r.status))))), 90_000), exited]);
    const userPoolClientId = await Promise.race([ensureGroupAndClient(client), exited]);
    return { endpoint, userPoolId: LOCAL_USER_POOL_ID, userPoolClientId, process: child, output: () => tail, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
};
