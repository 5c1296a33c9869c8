// Chromium for the page tests: Debian's /usr/bin/chromium driven by playwright-core (no browser download),
// headless, each launch with its own temporary profile (Playwright makes a fresh user-data-dir and removes
// it on close). Console errors and uncaught exceptions are collected so a test can assert there were none;
// screenshots go to test-output/page/ for a person to look at.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PAGE_DIR } from '../../src/web/page/serve-page.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOT_DIR = join(process.cwd(), 'test-output', 'page');
const ROOT = process.cwd();

/**
 * Builds the page when it is missing or older than its sources, as scripts/setup does (same stamp, same
 * sources), so a single test file can be run straight after editing the page.
 */
export function ensurePageBuilt(): void {
  const newest = (path: string): number => {
    const st = statSync(path);
    if (!st.isDirectory()) return st.mtimeMs;
    return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), st.mtimeMs);
  };
  const stamp = join(PAGE_DIR, '.build-stamp');
  const sources = Math.max(...['src/web/page', 'src/engine', 'vite.config.ts', 'package-lock.json'].map((p) => newest(join(ROOT, p))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  writeFileSync(stamp, '');
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium)`);
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...(asRoot ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions, in order, with where they came from. */
  errors: string[];
}

/** A fresh context (no cookies) and page at a given viewport, with its console watched. */
export async function openPage(browser: Browser, baseURL: string, viewport = { width: 1280, height: 900 }): Promise<Watched> {
  const context = await browser.newContext({ baseURL, viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { context, page, errors };
}

export async function shot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SHOT_DIR, { recursive: true });
  const path = join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Signs in through the form. */
export async function signIn(page: Page, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Admin password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
  await page.locator('[data-link="live"]').waitFor();
}

/** A fresh page at the engine, signed in with the admin password: where most page tests begin. */
export async function openSignedIn(browser: Browser, baseURL: string, password: string): Promise<Watched> {
  const w = await openPage(browser, baseURL);
  await signIn(w.page, password);
  return w;
}

/** Widest element sticking out past the viewport's right edge, for a readable failure. */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; offenders: string[] }> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const offenders: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > doc.clientWidth + 0.5) offenders.push(`${el.tagName.toLowerCase()}.${(el.getAttribute('class') ?? '').split(' ').join('.')} right=${Math.round(r.right)}`);
    }
    return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, offenders: offenders.slice(0, 10) };
  });
}
