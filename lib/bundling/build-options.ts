// How every function is bundled. TaskwellFunction hands the banner, main fields and aliases to NodejsFunction (which
// runs the local esbuild with them); `deployedBuildOptions` is the same build as plain esbuild options, for the bench
// and the bundle tests (the bench checks that its rebuilds are byte for byte the size of the synthesized assets).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

const BUNDLING_DIR = dirname(fileURLToPath(import.meta.url));

/** ESM bundles have no `require`; some CommonJS dependencies still call it. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** ES module builds first: they tree-shake far better than the SDK's CommonJS ones. */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * Modules every bundle replaces (esbuild aliases), each explained in its file here: credentials from the environment
 * only instead of the SDK's default chain (~136 KB), and no event-stream codec (~15 KB).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(BUNDLING_DIR, 'env-credentials.ts'),
  '@smithy/core/event-streams': join(BUNDLING_DIR, 'no-event-streams.ts'),
};

/** The esbuild options NodejsFunction runs for a TaskwellFunction (nodejs22.x: target node22). */
export const deployedBuildOptions = (root: string, entry: string, outfile: string): BuildOptions => ({
  absWorkingDir: root,
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: MAIN_FIELDS,
  banner: { js: ESM_REQUIRE_BANNER },
  tsconfig: join(root, 'tsconfig.json'),
  alias: { ...BUNDLE_ALIASES },
  logLevel: 'warning',
});
