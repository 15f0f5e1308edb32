// local/console.ts over real HTTP: how `npm start` serves the built console under /console (the SPA's routes,
// its files with their content types and caching, config.json with the API's URL, the security headers), and
// that everything else is left to the API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBuildIsStale, consoleHandler } from '#local/console';
import { REPO_ROOT } from '#local/stack';

describe('the local console handler', () => {
  let server: Server;
  let base: string;
  let apiUrl = 'https://api.example.test';
  beforeAll(async () => {
    const serve = consoleHandler({ root: REPO_ROOT, apiUrl: () => apiUrl });
    server = createServer((req, res) => {
      if (serve(req, res)) return;
      res.writeHead(418, { 'content-type': 'text/plain' }).end('not the console');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is built and up to date (the globalSetup built it with Vite)', () => {
    expect(consoleBuildIsStale(REPO_ROOT)).toBe(false);
  });

  it('serves the SPA under /console/, with index.html for its routes and strict security headers', async () => {
    const redirect = await fetch(`${base}/console?x=1`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/console/?x=1');

    for (const path of ['/console/', '/console/users/01ABC', '/console/operations/taskwell-audit-dlq', '/console/users/ann@example.com']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      expect(html).toMatch(/<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js"><\/script>/);
    }
    const page = await fetch(`${base}/console/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://api.example.test");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    // An unchanged page is revalidated with its ETag.
    const etag = page.headers.get('etag')!;
    expect((await fetch(`${base}/console/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('serves the fingerprinted files with their content type, cached for good, and 404s a missing one', async () => {
    const html = await (await fetch(`${base}/console/`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const style = /href="(\/console\/assets\/[^"]+\.css)"/.exec(html)![1]!;
    const js = await fetch(`${base}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Number(js.headers.get('content-length'))).toBe((await js.arrayBuffer()).byteLength);
    const css = await fetch(`${base}${style}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');

    for (const path of ['/console/assets/index-missing.js', '/console/missing.css', '/console/favicon.ico']) {
      const missing = await fetch(`${base}${path}`);
      expect(missing.status, path).toBe(404);
      expect(missing.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    }
    // No way out of console/dist.
    for (const path of ['/console/../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/..%2f..%2fpackage.json']) {
      const escaped = await fetch(`${base}${path}`);
      expect(escaped.status, path).not.toBe(200);
    }
  });

  it('generates config.json with the API URL of the moment, never cached', async () => {
    const first = await fetch(`${base}/console/config.json`);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(await first.json()).toEqual({ apiUrl: 'https://api.example.test' });
    apiUrl = '';
    expect(await (await fetch(`${base}/console/config.json`)).json()).toEqual({ apiUrl: '' });
    expect((await fetch(`${base}/console/`)).headers.get('content-security-policy')).toContain("connect-src 'self';");
    apiUrl = 'https://api.example.test';
  });

  it('answers only GET and HEAD, and leaves every other path alone', async () => {
    const post = await fetch(`${base}/console/`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/console/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
    for (const path of ['/', '/v1/health', '/consoles', '/v1/console/x']) expect((await fetch(`${base}${path}`)).status, path).toBe(418);
  });
});
