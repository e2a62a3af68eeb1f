import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { holdQuietNetwork } from '../../../../scripts/test-support/network-gate.js';
import { startBackground, type Background } from '../../src/stack/background.js';
import { startShop, type ShopUnderTest } from '../support/shop-under-test.js';
import { BROWSER_ENDPOINT_VARIABLE, CHROMIUM, CHROMIUM_LAUNCH } from './browser-server.js';
import { trackContext } from './open-pages.js';

export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export { screenshot } from './open-pages.js';

/**
 * Chromium for one test file: a connection to the run's browser (`browser-server.ts`), whose `close()`
 * closes the contexts the file opened; its own Chromium when the run has none (a runner without the set-up).
 * It opens while no container starts or stops on the host and holds that until it is closed (`network-gate.ts`).
 * The contexts it opens are counted until closed, so a failed test's pages are reported (`report-failed-pages.ts`).
 */
export async function launchBrowser(): Promise<Browser> {
  const release = await holdQuietNetwork();
  const endpoint = process.env[BROWSER_ENDPOINT_VARIABLE];
  try {
    // Either way each context a test opens starts empty: no cookie or storage from another file's.
    const browser = endpoint === undefined ? await chromium.launch(CHROMIUM_LAUNCH) : await chromium.connect(endpoint);
    browser.on('disconnected', release);
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (options) => {
      const context = await newContext(options);
      trackContext(context);
      return context;
    };
    return browser;
  } catch (error) {
    release();
    throw error;
  }
}

export interface ServedShop extends ShopUnderTest {
  url: string;
  stop(): Promise<void>;
}

/** The whole shop over real HTTP on 127.0.0.1 with its worker and scheduler running, on a manual clock. */
export async function serveShop(options: Parameters<typeof startShop>[0] = {}): Promise<ServedShop> {
  // The shop's links come from its settings, never from the request: it is told the address it will listen on. The
  // port is bound before the shop starts and kept, so no other process of the run can take it in between (a port
  // probed and let go was once answered by another program's server).
  const server: Server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  const given = options.env?.['PUBLIC_URLS'] ?? options.env?.['PUBLIC_URL'];
  const env = given === undefined ? { PUBLIC_URLS: `http://127.0.0.1:${port}`, ...options.env } : options.env;
  const t = await startShop({ ...options, env }).catch(async (error: unknown) => {
    await new Promise((done) => server.close(done));
    throw error;
  });
  const background: Background = startBackground(t.shop, { tickEveryMs: 250 });
  server.on('request', t.app);
  return {
    ...t,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await background.stop();
      await t.close();
    },
  };
}

/** Picks a language in the page's language switch (opening it first), by the language's own name ("فارسی"). */
export async function chooseLanguage(page: Page, name: string): Promise<void> {
  await page.getByTestId('language-switch').locator('summary').click();
  await page.getByTestId('language-switch').getByRole('link', { name, exact: true }).click();
}
