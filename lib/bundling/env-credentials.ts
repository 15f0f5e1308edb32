// Bundled in place of @aws-sdk/credential-provider-node (an esbuild alias in TaskwellFunction): Lambda always puts the
// function role's credentials in the environment, so the default chain's SSO, INI-file, STS web-identity and IMDS
// providers — and the nested STS/SSO clients they carry — are dead weight in every bundle (~136 KB, measured by
// `npm run bench`). The local runtime runs the sources, not the bundles, and keeps the full chain.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
export const credentialsWillNeedRefresh = (): boolean => false;
export const credentialsTreatedAsExpired = (): boolean => false;
