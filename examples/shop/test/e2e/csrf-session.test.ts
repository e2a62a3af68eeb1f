import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchBrowser, serveShop, type ServedShop } from './browser.js';

/** Signs a new buyer up in `context`; returns the page, signed in. */
async function signedUpBuyer(shop: ServedShop, context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${shop.url}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${shop.url}/?done=auth.signed_up`);
  return page;
}

/** Saves the buyer's notification choices with the form the shop serves: the buyer's own form, as they would. */
async function savePreferences(shop: ServedShop, page: Page): Promise<void> {
  await page.goto(`${shop.url}/account/notifications`);
  await page.getByLabel('A subscription expires soon').uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(`${shop.url}/account/notifications?done=notifications.saved`);
}

/**
 * A buyer's forms keep working whatever reaches the shop in their name: a refused forgery from another site changes no
 * cookie, and a browser restart (which drops the cookies without an expiry) keeps the session's forms, because the
 * token is the session's own.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `CSRF tied to the session in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let attacker: Server;
    let attackerUrl: string;

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      // Another site: `localhost` is another host than the shop's 127.0.0.1, so the browser treats its post as
      // cross-site and sends it without the shop's SameSite=Lax cookies.
      attacker = createServer((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(`<!doctype html><form id="f" method="post" action="${shop.url}/account/notifications">
          <input name="_csrf" value="forged"><input name="expiring" value="off"></form>
          <script>document.getElementById('f').submit()</script>`);
      });
      await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));
      attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((done) => attacker?.close(done));
      await shop?.stop();
    });

    it("a form posted from another site is refused, and the buyer's own forms still work", async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await signedUpBuyer(shop, context, 'forged-at@example.com');
      const before = await context.cookies(shop.url);
      const forged = page.waitForResponse((r) => r.url() === `${shop.url}/account/notifications` && r.request().method() === 'POST');
      await page.goto(attackerUrl);
      expect((await forged).status()).toBe(403);
      // The refusal set no cookie: the buyer's are as they were.
      expect((await context.cookies(shop.url)).map((c) => `${c.name}=${c.value}`).sort()).toEqual(
        before.map((c) => `${c.name}=${c.value}`).sort(),
      );
      await savePreferences(shop, page);
      await context.close();
    });

    it("after a browser restart (the cookies without an expiry gone), the buyer's forms work", async () => {
      const first = await browser.newContext({ locale: 'en-US' });
      await signedUpBuyer(shop, first, 'restarted@example.com');
      const kept = (await first.cookies(shop.url)).filter((c) => c.expires > 0);
      await first.close();
      expect(kept.map((c) => c.name)).toContain('pk_session');
      const restarted = await browser.newContext({ locale: 'en-US' });
      await restarted.addCookies(kept);
      const page = await restarted.newPage();
      await page.goto(`${shop.url}/dashboard`);
      expect(page.url()).toBe(`${shop.url}/dashboard`);
      await savePreferences(shop, page);
      await restarted.close();
    });
  },
);
