// What-if stand-in for @aws-sdk/credential-provider-node (bench only, used through an esbuild alias): in Lambda the
// credentials are always in the environment, so the default chain's SSO/INI/STS/IMDS providers and their nested
// clients are dead weight in every bundle. This provider reads only the environment.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
export const credentialsWillNeedRefresh = (): boolean => false;
export const credentialsTreatedAsExpired = (): boolean => false;
