import { existsSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchBrowser } from './browser.js';
import { describeOpenPages, screenshot, testStarting } from './open-pages.js';

/** A `save` for `describeOpenPages` through the tests' `screenshot()`, named `<prefix>-<page>`, and the paths it saved. */
function savingAs(prefix: string): { save: (page: Page, name: string) => Promise<string>; saved: string[] } {
  const saved: string[] = [];
  const save = async (page: Page, name: string) => {
    const path = await screenshot(page, `${prefix}-${name}`);
    saved.push(path);
    return path;
  };
  return { save, saved };
}

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
      const { save, saved } = savingAs('open-pages-test');
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
      expect(saved).toHaveLength(1);
      expect(lines[0]).toContain(`screenshot ${saved[0]}`);
      expect(existsSync(saved[0]!)).toBe(true);

      const other = await browser.newPage();
      expect(await describeOpenPages(save)).toHaveLength(2);
      await other.close();
      await context.close();
      expect(await describeOpenPages(save)).toEqual([]);
      for (const path of saved) rmSync(path, { force: true });
    });

    it('names a page shown under an earlier failure and idle since by its address only, and in full once it is used again', async () => {
      const { save, saved } = savingAs('open-pages-test-idle');
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.setContent('<title>Checkout</title><p>Pay now</p>');
      const [first] = await describeOpenPages(save);
      expect(first).toContain('page 1: about:blank — "Checkout"');
      expect(first).toContain('text: "Pay now"');

      // The file's next tests fail while the page stays open and nothing happens on it.
      expect(await describeOpenPages(save)).toEqual(['page 1: about:blank — shown under an earlier failure, idle since']);
      testStarting();
      expect(await describeOpenPages(save)).toEqual(['page 1: about:blank — shown under an earlier failure, idle since']);
      expect(saved).toHaveLength(1);

      // A later test loads it again: shown in full under that test's failure.
      testStarting();
      await page.setContent('<title>Receipt</title><p>Paid</p>');
      const [again] = await describeOpenPages(save);
      expect(again).toContain('page 1: about:blank — "Receipt"');
      expect(again).toContain('text: "Paid"');
      expect(saved).toHaveLength(2);
      await context.close();
      for (const path of saved) rmSync(path, { force: true });
    });
  },
);
