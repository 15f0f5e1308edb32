// Browser-test helpers: Debian's Chromium driven by playwright-core (never a downloaded browser), pages of the
// admin console with their script errors and CSP violations collected, sign-in as a person does it, screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '#local/stack';
import type { Credentials } from '#test/support/api-client';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

export { CHROMIUM_PATH };

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

export const consoleUrl = (path = ''): string => `${inject('consoleUrl')}${path.replace(/^\/+/, '')}`;

export const launchBrowser = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium); .ci/run does.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
};

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors, console errors and CSP violations of the page; failed HTTP requests are not in it. */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh browser profile (no stored session) showing the console at `path`. */
export const openConsole = async (browser: Browser, options: { path?: string; viewport?: { width: number; height: number }; isMobile?: boolean } = {}): Promise<ConsoleTab> => {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, isMobile: options.isMobile, hasTouch: options.isMobile, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // The browser reports every 4xx/5xx response as a console error; those are the API's answers, asserted by the tests.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  await page.goto(consoleUrl(options.path));
  return { context, page, problems, close: () => context.close() };
};

/** Signs in through the form, as a person would; resolves once the main navigation shows. */
export const signIn = async (page: Page, credentials: Credentials): Promise<void> => {
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
};

/** A new tab, signed in, at `path`. */
export const signedIn = async (browser: Browser, credentials: Credentials, options: Parameters<typeof openConsole>[1] = {}): Promise<ConsoleTab> => {
  const tab = await openConsole(browser, { ...options, path: '' });
  await signIn(tab.page, credentials);
  if (options.path) {
    await tab.page.goto(consoleUrl(options.path));
    await tab.page.getByRole('button', { name: 'Sign out' }).waitFor();
  }
  return tab;
};

/** A PNG under test-results/screenshots/ (kept as a test artifact): the whole page, or the viewport (a modal dialog). */
export const screenshot = async (page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
};

/** How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways). */
export const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

/** The elements that stick out to the right of the viewport (to say what makes a page scroll sideways). */
export const overflowingElements = (page: Page): Promise<string[]> =>
  page.evaluate<string[]>(`(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 0.5 && box.width > 0) {
        // Inside a scrolling box it is that box's business, unless it is positioned out of it.
        let scrolls = false;
        const position = getComputedStyle(el).position;
        if (position !== 'absolute' && position !== 'fixed') {
          for (let p = el.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') { scrolls = true; break; }
        }
        if (!scrolls) out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' → ' + Math.round(box.right));
      }
    }
    return out.slice(0, 10);
  })()`);

/** Painted (non-transparent) pixels of a canvas: a chart that drew something has many. */
export const paintedPixels = (page: Page, selector: string): Promise<number> =>
  page.locator(selector).evaluate((canvas: any) => {
    const context = canvas.getContext('2d');
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
    return painted;
  });

/** The accessible description of what has focus: "button: Cancel". */
export const focused = (page: Page): Promise<string> =>
  page.evaluate<string>(`(() => { const el = document.activeElement; return el ? el.tagName.toLowerCase() + ': ' + (el.getAttribute('aria-label') || el.textContent || '').trim() : ''; })()`);

/**
 * Opaque pixels of a canvas close to `rgb` (within a small tolerance), optionally only in its top part (0–1):
 * the bars and lines a chart drew in a series' colour, as opposed to its axes and grid.
 */
export const pixelsOfColour = (page: Page, selector: string, rgb: readonly [number, number, number], options: { topFraction?: number } = {}): Promise<number> =>
  page.locator(selector).evaluate(
    (canvas: any, { rgb, top }: { rgb: readonly number[]; top: number }) => {
      const context = canvas.getContext('2d');
      const rows = Math.max(1, Math.floor(canvas.height * top));
      const { data } = context.getImageData(0, 0, canvas.width, rows);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 200) continue;
        if (Math.abs(data[i] - rgb[0]!) + Math.abs(data[i + 1] - rgb[1]!) + Math.abs(data[i + 2] - rgb[2]!) <= 30) count += 1;
      }
      return count;
    },
    { rgb, top: options.topFraction ?? 1 },
  );

/** `#2563eb` → [37, 99, 235] */
export const rgbOf = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
