import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createCampaign } from '../../src/app/growth/campaigns.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcIdentitiesOf } from '../../src/db/oidc-identities.js';
import { startOpenIdProvider, type OpenIdProvider } from '../support/openid-provider.js';
import { ADMIN } from '../support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

/**
 * Issue 57: buyers sign in with an OpenID Connect provider the owner set up, here a real one (`oidc-provider`) on
 * this machine, in headless Chromium: the owner adds it on the settings page; a new buyer signs up through it; an
 * identity whose address an account holds but the provider did not verify is refused (no takeover); one the
 * provider verified joins that account only after the buyer proves the mailbox theirs with an e-mailed code.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `sign-in with an OpenID provider in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let sink: SmtpSink;
    let provider: OpenIdProvider;

    beforeAll(async () => {
      sink = await startSmtpSink();
      [shop, browser] = await Promise.all([
        serveShop({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <shop@example.com>' } }),
        launchBrowser(),
      ]);
      provider = await startOpenIdProvider(`${shop.url}/signin/oidc/local-id/callback`);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
      await provider?.close();
      await sink?.close();
    });

    async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      context.setDefaultTimeout(15_000);
      return { context, page: await context.newPage() };
    }

    /** From the shop's sign-in page through the provider's sign-in and consent pages, back to the shop. */
    async function signInAtProvider(page: Page, login: string): Promise<void> {
      await page.goto(`${shop.url}/signin`);
      await page.getByRole('link', { name: 'Sign in with Local ID' }).click();
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.origin === shop.url);
    }

    async function signUpWithPassword(page: Page, email: string): Promise<void> {
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${shop.url}/?done=auth.signed_up`);
      await page.getByRole('button', { name: 'Sign out' }).click();
    }

    it('the owner adds the provider on the settings page; the secret is sealed and never shown back', async () => {
      const { context, page } = await newPage();
      await page.goto(`${shop.url}/signin?next=${encodeURIComponent('/admin/settings/sign-in')}`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${shop.url}/admin/settings/sign-in`);
      await page.getByLabel('Provider').selectOption('custom');
      await page.getByLabel('Id (another service only)').fill('local-id');
      await page.getByLabel('Button name').fill('Local ID');
      await page.getByLabel('Issuer URL (another service only)').fill(provider.issuer);
      await page.getByLabel('Client id').fill(provider.clientId);
      await page.getByLabel('Client secret').fill(provider.clientSecret);
      await page.getByRole('button', { name: 'Save the provider' }).click();
      await page.waitForURL(`${shop.url}/admin/settings/sign-in?done=signin.provider_saved`);
      const listed = await page.getByTestId('sign-in-providers').textContent();
      expect(listed).toContain('Local ID');
      expect(listed).toContain(`${shop.url}/signin/oidc/local-id/callback`);
      expect(await page.content()).not.toContain(provider.clientSecret);
      const { rows } = await shop.shop.db.query<{ value: unknown; sealed: string }>(
        `SELECT value, sealed FROM ${shop.shop.shopSchema}.shop_settings WHERE name = 'sign_in.oidc_providers'`,
      );
      expect(JSON.stringify(rows[0]?.value)).not.toContain(provider.clientSecret);
      expect(rows[0]?.sealed).toMatch(/^pk1\./);
      await context.close();
    });

    it('a new buyer signs up with the provider (its verified address becomes theirs) and comes back the same way', async () => {
      provider.users.set('newcomer', { email: 'newcomer@example.com', emailVerified: true });
      await createCampaign(shop.shop, { slug: 'id-ads', name: 'ID ads', bonusAmount: 0, welcomeCode: null }, { type: 'admin', id: null });
      const { context, page } = await newPage();
      // The newcomer came by a campaign's web link first: signing up with the provider joins that campaign.
      await page.goto(`${shop.url}/signup?c=id-ads`);
      await signInAtProvider(page, 'newcomer');
      await page.waitForURL(`${shop.url}/?done=auth.signed_up`);
      const account = await shop.shop.accounts.getByEmail('newcomer@example.com');
      expect(account?.role).toBe('buyer');
      expect(await shop.shop.storage.campaigns.get(account!.customerId)).toMatchObject({ campaign: 'id-ads' });
      expect(await oidcIdentitiesOf(shop.shop).find('local-id', 'newcomer')).toMatchObject({ accountId: account?.id });
      await page.goto(`${shop.url}/dashboard`);
      await expect(page.getByText('newcomer@example.com').count()).resolves.toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Sign out' }).click();
      // Again: the provider's session stands, so it comes straight back, to the same account.
      await page.goto(`${shop.url}/signin`);
      await page.getByRole('link', { name: 'Sign in with Local ID' }).click();
      const consent = page.getByRole('button', { name: 'Continue' });
      await page.waitForURL((url) => url.href.startsWith(`${shop.url}/dashboard`) || url.origin === provider.issuer);
      if (new URL(page.url()).origin === provider.issuer) await consent.click();
      await page.waitForURL(`${shop.url}/dashboard`);
      await expect(page.getByText('newcomer@example.com').count()).resolves.toBeGreaterThan(0);
      await context.close();
    }, 120_000);

    it('refuses an identity whose unverified address is an existing account’s: no session, nothing joined', async () => {
      const { context, page } = await newPage();
      await signUpWithPassword(page, 'victim@example.com');
      provider.users.set('impostor', { email: 'victim@example.com', emailVerified: false });
      provider.users.set('silent', { email: 'victim@example.com', emailVerified: undefined });
      for (const login of ['impostor', 'silent']) {
        const attempt = await newPage();
        await signInAtProvider(attempt.page, login);
        await expect(attempt.page.getByText('the sign-in service did not confirm that the email is yours').count()).resolves.toBe(1);
        await screenshot(attempt.page, `oidc-refused-${login}`);
        await attempt.page.goto(`${shop.url}/dashboard`);
        expect(new URL(attempt.page.url()).pathname).toBe('/signin');
        expect(await oidcIdentitiesOf(shop.shop).find('local-id', login)).toBeNull();
        await attempt.context.close();
      }
      expect(await shop.shop.accounts.getByEmail('victim@example.com')).not.toBeNull();
      await context.close();
    }, 180_000);

    it('joins a verified identity to the existing account only after the e-mailed code, then signs in with it directly', async () => {
      const { context, page } = await newPage();
      await signUpWithPassword(page, 'joiner@example.com');
      const account = await shop.shop.accounts.getByEmail('joiner@example.com');
      provider.users.set('joiner-at-provider', { email: 'joiner@example.com', emailVerified: true });

      const other = await newPage();
      await signInAtProvider(other.page, 'joiner-at-provider');
      await other.page.waitForURL(`${shop.url}/signin/join`);
      // Not yet joined, not signed in.
      expect(await oidcIdentitiesOf(shop.shop).find('local-id', 'joiner-at-provider')).toBeNull();
      await other.page.getByRole('button', { name: 'Send a code to j***@example.com' }).click();
      for (let i = 0; i < 400 && !sink.received.some((m) => m.to.includes('joiner@example.com')); i++)
        await new Promise((done) => setTimeout(done, 25));
      const mail = sink.received.find((m) => m.to.includes('joiner@example.com'));
      const code = /\b([0-9]{6})\b/.exec(mail?.subject ?? '')?.[1] as string;
      expect(code).toMatch(/^[0-9]{6}$/);
      await other.page.getByLabel('Code from the email').fill(code === '000000' ? '111111' : '000000');
      await other.page.getByRole('button', { name: 'Confirm and sign in' }).click();
      await expect(other.page.getByText('This code does not work').count()).resolves.toBe(1);
      expect(await oidcIdentitiesOf(shop.shop).find('local-id', 'joiner-at-provider')).toBeNull();
      await other.page.getByLabel('Code from the email').fill(code);
      await screenshot(other.page, 'oidc-join-code');
      await other.page.getByRole('button', { name: 'Confirm and sign in' }).click();
      await other.page.waitForURL(`${shop.url}/dashboard?done=signin.joined`);
      expect(await oidcIdentitiesOf(shop.shop).find('local-id', 'joiner-at-provider')).toMatchObject({ accountId: account?.id });
      await expect(other.page.getByText('joiner@example.com').count()).resolves.toBeGreaterThan(0);
      await other.page.getByRole('button', { name: 'Sign out' }).click();

      // From now on the provider signs in to that account at once.
      await other.page.goto(`${shop.url}/signin`);
      await other.page.getByRole('link', { name: 'Sign in with Local ID' }).click();
      await other.page.waitForURL((url) => url.href.startsWith(`${shop.url}/dashboard`) || url.origin === provider.issuer);
      if (new URL(other.page.url()).origin === provider.issuer) await other.page.getByRole('button', { name: 'Continue' }).click();
      await other.page.waitForURL(`${shop.url}/dashboard`);
      await expect(other.page.getByText('joiner@example.com').count()).resolves.toBeGreaterThan(0);
      await other.context.close();
      await context.close();
    }, 180_000);
  },
);
