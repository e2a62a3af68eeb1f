import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAUTH_WINDOW_MS } from '../../src/http/staff-security.js';
import { ADMIN } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, serveShop, type ServedShop } from './browser.js';

/** A stranger's wrong password for `email`, posted from `address` (the shop is behind a proxy that says so). */
async function strangerGuess(shop: ServedShop, email: string, address: string, guess: string): Promise<number> {
  const page = await fetch(`${shop.url}/signin`, { headers: { 'x-forwarded-for': address } });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
  const res = await fetch(`${shop.url}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'x-forwarded-for': address, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: guess }).toString(),
  });
  return res.status;
}

async function signIn(shop: ServedShop, page: Page, next = '/admin'): Promise<void> {
  await page.goto(`${shop.url}/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Issue 44: a stranger guessing at the owner's e-mail from many addresses must not lock the owner out. The owner's
 * signed-in browser re-confirms its password, and signs in anew, at once; a browser that never signed in waits for the
 * account's delay (told how long), then gets in.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `sign-in guesses slow strangers, not the owner, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop({ env: { TRUST_PROXY: 'on' } }), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('the owner re-confirms and signs in again while a stranger guesses; a new browser waits the delay', async () => {
      const owners = await browser.newContext({ locale: 'en-US' });
      owners.setDefaultTimeout(10_000);
      const page = await owners.newPage();
      await signIn(shop, page);
      await page.waitForURL(`${shop.url}/admin`);
      // Long enough ago that the settings ask for the password again.
      shop.clock.advance(REAUTH_WINDOW_MS + 1);

      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await strangerGuess(shop, ADMIN.email, `198.51.100.${i + 1}`, `wrong-${i}`));
      expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);

      // The signed-in owner's re-confirmation is the session's own, not a stranger's guess.
      await page.goto(`${shop.url}/admin/settings`);
      await page.waitForURL(/\/account\/reauth\?/);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL(`${shop.url}/admin/settings`);

      // Signing out and in again from the same browser: it signed in before, so no one else's guesses slow it.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(shop, page);
      await page.waitForURL(`${shop.url}/admin`);

      // A browser that never signed in to the account waits for the delay, and is told how long.
      const fresh = await browser.newContext({ locale: 'en-US' });
      fresh.setDefaultTimeout(10_000);
      const other = await fresh.newPage();
      await signIn(shop, other);
      await expect(other.getByText('Too many wrong attempts for this account. Try again in 30 seconds.').isVisible()).resolves.toBe(true);
      expect(new URL(other.url()).pathname).toBe('/signin');
      shop.clock.advance(30_000);
      await signIn(shop, other);
      await other.waitForURL(`${shop.url}/admin`);
      await owners.close();
      await fresh.close();
    });
  },
);
