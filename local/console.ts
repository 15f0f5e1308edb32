// The admin console, offline: serves the built SPA (console/dist) under /console on the API's own origin,
// with the `config.json` that AWS gets from the CDK app generated here, and builds it with Vite's API
// when the build is missing or older than its sources.
//
//   const serveConsole = consoleHandler({ root: REPO_ROOT, apiUrl: () => gateway.url });
//   createServer((req, res) => { if (serveConsole(req, res)) return; … the API … });
//   await buildConsole({ root: REPO_ROOT });   // → { built: true|false, outDir, durationMs }
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** Where the console lives on the API's origin (Vite's `base`, see console/vite.config.ts). */
export const CONSOLE_PATH = '/console';

export interface ConsoleHandlerOptions {
  /** The repository root (the console is `<root>/console`, its build `<root>/console/dist`). */
  root: string;
  /**
   * The API base URL written into config.json; "" means the console's own origin. A function is read on
   * every request (the gateway knows its URL only once it listens).
   */
  apiUrl: string | (() => string);
}

/** Answers the request and returns true when it is the console's; returns false (and touches nothing) otherwise. */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const STATIC_FILE = /\.(?:html|js|mjs|css|map|json|txt|xml|webmanifest|ico|png|jpe?g|gif|svg|webp|avif|woff2?|ttf|otf|wasm)$/i;

const originOf = (url: string): string | undefined => {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
};

/** The headers CloudFront's response-headers policy sets in AWS, so that local runs catch the same violations. */
export const securityHeaders = (apiUrl: string): Record<string, string> => {
  const api = originOf(apiUrl);
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self'${api ? ` ${api}` : ''}`,
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
};

const send = (req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string) => {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': String(buffer.length) });
  res.end(req.method === 'HEAD' ? undefined : buffer);
};

export const consoleHandler = (options: ConsoleHandlerOptions): ConsoleHandler => {
  const dist = resolve(options.root, 'console', 'dist');
  const apiUrl = () => (typeof options.apiUrl === 'function' ? options.apiUrl() : options.apiUrl).replace(/\/+$/, '');

  const serveFile = async (req: IncomingMessage, res: ServerResponse, file: string, headers: Record<string, string>, immutable: boolean) => {
    const info = await stat(file);
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const cache = { 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache', etag };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...headers, ...cache });
      res.end();
      return;
    }
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    send(req, res, 200, { ...headers, ...cache, 'content-type': type }, await readFile(file));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, pathname: string, search: string) => {
    const headers = securityHeaders(apiUrl());
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'Method Not Allowed\n');
      return;
    }
    if (pathname === CONSOLE_PATH) {
      res.writeHead(308, { ...headers, location: `${CONSOLE_PATH}/${search}`, 'content-length': '0' });
      res.end();
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname.slice(CONSOLE_PATH.length + 1));
    } catch {
      send(req, res, 400, { ...headers, 'content-type': 'text/plain; charset=utf-8' }, 'Bad Request\n');
      return;
    }
    if (relative === 'config.json') {
      send(req, res, 200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, JSON.stringify({ apiUrl: apiUrl() }));
      return;
    }
    const index = join(dist, 'index.html');
    if (!existsSync(index)) {
      send(req, res, 503, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' }, 'The admin console is not built yet: run `npm run console:build` (npm start builds it).\n');
      return;
    }
    const file = resolve(dist, relative);
    const inside = file === dist || file.startsWith(dist + sep);
    if (inside && relative !== '' && !relative.includes('\0')) {
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) return serveFile(req, res, file, headers, relative.startsWith('assets/'));
    }
    // A missing file (a static file's name, or anything under assets/) is a 404: answering index.html would turn a
    // stale script reference into a confusing MIME-type error in the browser. As CloudFront's router function does
    // (lib/constructs/admin-console.ts), the extensions are explicit, so a route segment with a dot is still a route.
    if (!inside || relative.startsWith('assets/') || STATIC_FILE.test(relative)) {
      send(req, res, 404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }, 'Not Found\n');
      return;
    }
    // Any other path under /console/ is a screen of the SPA (e.g. /console/users/123): its router takes over.
    await serveFile(req, res, index, headers, false);
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    if (pathname !== CONSOLE_PATH && !pathname.startsWith(`${CONSOLE_PATH}/`)) return false;
    handle(req, res, pathname, q === -1 ? '' : url.slice(q)).catch((error: unknown) => {
      console.error('[taskwell] console handler error:', error);
      if (!res.headersSent) send(req, res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'Internal Server Error\n');
      else res.destroy();
    });
    return true;
  };
};

// ---- build ----

export interface BuildConsoleOptions {
  root: string;
  /** Build even when console/dist is up to date. */
  force?: boolean;
}

export interface BuildConsoleResult {
  /** False when console/dist was already newer than every source. */
  built: boolean;
  outDir: string;
  durationMs: number;
}

/** Newest modification time (ms) of the files the build reads. */
const newestSource = (consoleDir: string, root: string): number => {
  let newest = 0;
  const visit = (path: string) => {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      newest = Math.max(newest, info.mtimeMs);
    }
  };
  for (const path of ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json']) visit(join(consoleDir, path));
  // Other dependency versions are another build.
  visit(join(root, 'package-lock.json'));
  return newest;
};

/** Whether console/dist is missing or older than its sources. */
export const consoleBuildIsStale = (root: string): boolean => {
  const consoleDir = resolve(root, 'console');
  const built = statSync(join(consoleDir, 'dist', 'index.html'), { throwIfNoEntry: false });
  return !built || built.mtimeMs < newestSource(consoleDir, root);
};

const building = new Map<string, Promise<BuildConsoleResult>>();

/**
 * Builds the console with Vite's build() API into console/dist when it is missing or stale. The new build
 * is written aside and swapped in, so a server reading console/dist never sees half a build.
 */
export const buildConsole = (options: BuildConsoleOptions): Promise<BuildConsoleResult> => {
  const root = resolve(options.root);
  const consoleDir = join(root, 'console');
  const outDir = join(consoleDir, 'dist');
  const running = building.get(root);
  if (running) return running;
  const started = Date.now();
  if (!options.force && !consoleBuildIsStale(root)) return Promise.resolve({ built: false, outDir, durationMs: Date.now() - started });

  const job = (async (): Promise<BuildConsoleResult> => {
    const { build } = await import('vite');
    const cache = join(root, 'node_modules', '.cache', 'taskwell-console');
    mkdirSync(cache, { recursive: true });
    const fresh = join(cache, `dist-${process.pid}-${started}`);
    const old = join(cache, `old-${process.pid}-${started}`);
    try {
      await build({
        root: consoleDir,
        configFile: join(consoleDir, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir: fresh, emptyOutDir: true },
      });
      if (existsSync(outDir)) renameSync(outDir, old);
      renameSync(fresh, outDir);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
      rmSync(old, { recursive: true, force: true });
    }
    return { built: true, outDir, durationMs: Date.now() - started };
  })().finally(() => building.delete(root));
  building.set(root, job);
  return job;
};
