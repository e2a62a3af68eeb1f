import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** Where the browser tests' screenshots go. */
const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-output/screenshots');

/** Saves a full-page screenshot under `examples/shop/test-output/screenshots/<name>.png`; its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The browser contexts test files opened and have not closed yet, in the worker that runs them (`browser.ts`). */
const openContexts = new Set<BrowserContext>();

/** What a page said last on its console as errors, and its uncaught errors: the latest few each. */
const pageErrors = new WeakMap<Page, string[]>();
const KEPT_ERRORS = 10;

/** The tests begun in this worker so far (`testStarting`): the one running is the last. */
let testsStarted = 0;
/** The test during which each page last did something (loaded, navigated, sent a request, wrote on its console). */
const lastActiveIn = new WeakMap<Page, number>();
/** The test under whose failure each page was last shown in full. */
const shownIn = new WeakMap<Page, number>();

/** Marks a new test's start, for {@link describeOpenPages} to tell the pages it used from those left by earlier ones. */
export function testStarting(): void {
  testsStarted++;
}

/** Counts `context` open until it closes, and keeps its pages' console errors for {@link describeOpenPages}. */
export function trackContext(context: BrowserContext): void {
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  context.on('page', (page) => {
    const errors: string[] = [];
    pageErrors.set(page, errors);
    const active = () => lastActiveIn.set(page, testsStarted);
    active();
    page.on('load', active);
    page.on('framenavigated', active);
    page.on('request', active);
    const keep = (line: string) => {
      errors.push(line);
      if (errors.length > KEPT_ERRORS) errors.shift();
    };
    page.on('console', (message) => {
      active();
      if (message.type() === 'error') keep(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => {
      active();
      keep(`page error: ${error.message}`);
    });
  });
}

/** `promise`'s value, or `fallback` once `ms` passed (a page that hangs must not hang the report of it). */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((done) => {
    timer = setTimeout(() => done(fallback), ms);
  });
  return Promise.race([promise.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/** How much of a page's text a report quotes. */
const QUOTED_TEXT = 1_500;

/**
 * One report line per page still open: its address, title, the start of its visible text and its last console
 * errors, each screenshot saved by `save` (named after the page's place). A test that failed in a browser leaves its
 * contexts open (its own `close()` came after the failing step), so this shows what the browser was shown when it
 * failed: under a loaded machine such a failure may not come back when the file runs again. A page already shown
 * under an earlier failure and idle since (left open by a failed test, while the file's later tests fail beside it)
 * gets its address only.
 */
export async function describeOpenPages(save: (page: Page, name: string) => Promise<string>): Promise<string[]> {
  const lines: string[] = [];
  let n = 0;
  for (const context of openContexts) {
    for (const page of context.pages()) {
      n++;
      const shown = shownIn.get(page);
      if (shown !== undefined && (lastActiveIn.get(page) ?? 0) <= shown) {
        lines.push(`page ${n}: ${page.url()} — shown under an earlier failure, idle since`);
        continue;
      }
      shownIn.set(page, testsStarted);
      const title = await within(page.title(), 5_000, '(no title within 5 s)');
      const text = await within(
        // A string: the tests' TypeScript has no DOM library.
        page.evaluate<string>("document.body?.innerText ?? ''"),
        5_000,
        '(the page did not answer within 5 s)',
      );
      const shot = await within(save(page, `page-${n}`), 15_000, '(no screenshot within 15 s)');
      const errors = pageErrors.get(page) ?? [];
      lines.push(
        [
          `page ${n}: ${page.url()} — "${title}"; screenshot ${shot}`,
          `  text: ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, QUOTED_TEXT))}`,
          ...errors.map((line) => `  ${line}`),
        ].join('\n'),
      );
    }
  }
  return lines;
}
