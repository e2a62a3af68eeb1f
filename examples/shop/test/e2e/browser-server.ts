import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BrowserType, LaunchOptions } from 'playwright-core';

/** Where the run's browser server listens; `launchBrowser` connects to it when it is set. */
export const BROWSER_ENDPOINT_VARIABLE = 'PANELKIT_CHROMIUM_ENDPOINT';

/**
 * Debian's Chromium, never a downloaded browser: `PANELKIT_CHROMIUM` when set, else its headless shell (package
 * `chromium-headless-shell`, which the test command installs: `scripts/ensure-chromium.sh`), else `chromium`.
 */
export const CHROMIUM =
  process.env['PANELKIT_CHROMIUM'] ||
  (existsSync('/usr/bin/chromium-headless-shell') ? '/usr/bin/chromium-headless-shell' : '/usr/bin/chromium');

/** Flags for a closed network: without the background-networking ones Chromium keeps dialling Google's hosts. */
export const CHROMIUM_LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/**
 * Vitest global set-up: one Chromium for the whole run, which every browser test file connects to (a
 * connection's `close()` closes the contexts it opened and leaves the browser running). Starting Chromium
 * costs about 1.3 s of CPU, and 15 files each started their own. Closed when the run ends.
 */
export default async function startBrowserServer(): Promise<(() => Promise<void>) | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  // Loaded from the shop: the root config that runs this set-up resolves modules from the repository's root.
  const entry = createRequire(import.meta.url).resolve('playwright-core');
  const { chromium } = (await import(pathToFileURL(entry).href)) as { chromium: BrowserType };
  const server = await chromium.launchServer(CHROMIUM_LAUNCH);
  // Set before the test workers start, so every one of them sees it.
  process.env[BROWSER_ENDPOINT_VARIABLE] = server.wsEndpoint();
  return () => server.close();
}
