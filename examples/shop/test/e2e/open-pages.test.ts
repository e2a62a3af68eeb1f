import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchBrowser } from './browser.js';
import { describeOpenPages } from './open-pages.js';

/** What a failed browser test reports of the pages it left open (`report-failed-pages.ts`). */
describe.skipIf(!HAVE_CHROMIUM)(
  `the open pages' report${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('names each open page with its address, title, text and console errors, saves its screenshot, and forgets it once closed', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'open-pages-'));
      const save = async (page: import('playwright-core').Page, name: string) => {
        const path = join(folder, `${name}.png`);
        await page.screenshot({ path });
        return path;
      };
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.setContent(
        `<title>Sign in</title><p>Too   many requests,
        try again later</p><script>console.error('the form failed to load')</script>`,
      );
      const lines = await describeOpenPages(save);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('page 1: about:blank — "Sign in"');
      expect(lines[0]).toContain('text: "Too many requests, try again later"');
      expect(lines[0]).toContain('console: the form failed to load');
      expect(existsSync(join(folder, 'page-1.png'))).toBe(true);

      const other = await browser.newPage();
      expect(await describeOpenPages(save)).toHaveLength(2);
      await other.close();
      await context.close();
      expect(await describeOpenPages(save)).toEqual([]);
    });
  },
);
