import { CLIENT_APPS } from '@panelkit/subscription-feed/apps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedUpBuyer, startShop, type ShopUnderTest, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { formatDateTime } from '../src/i18n/format.js';
import { boughtAndProvisioned, buy, fund, orderIdFrom, planNamed } from './support/buying.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { ownLinkOf } from '../src/app/subscriptions/own-link.js';
import { qrDataUrl } from '../src/views/qr-code.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: ROOMY_RATE_LIMITS,
    },
  });
});
afterAll(() => t.close());

const testIdText = (html: string, testId: string) => new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim();

describe('dashboard', () => {
  it('lists the buyer’s subscriptions newest first with status, expiry and usage, and links to API tokens', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 2000);
    const older = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    t.clock.advance(60_000);
    const newer = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · unlimited')).id);
    const page = await buyer.agent.get('/dashboard').expect(200);
    const ids = [...page.text.matchAll(/data-testid="subscription-card" data-subscription-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual([newer, older]);
    expect(page.text).toContain('data-status="active"');
    expect(page.text).toContain('unlimited traffic');
    expect(page.text).toMatch(/0 MiB used of 50 GiB/);
    expect(page.text).toContain('href="/account/api-tokens"');
  });

  it('says when there is nothing yet', async () => {
    const buyer = await signedUpBuyer(t.app);
    const page = await buyer.agent.get('/dashboard').expect(200);
    expect(page.text).toContain('data-testid="no-subscriptions"');
  });
});

describe('subscription page', () => {
  it('shows status, expiry, time left, usage, the link with a copy button, share links, a local QR, guides and the extend link', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 1000);
    const id = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    expect(sub.subscriptionUrl).not.toBeNull();
    expect(sub.shareLinks.length).toBeGreaterThan(0);
    const page = await buyer.agent.get(`/subscriptions/${id}`).expect(200);
    expect(page.text).toMatch(/data-status="active" data-testid="status">Active</);
    expect(sub.expiresAt?.getTime()).toBe(t.clock.now().getTime() + 30 * 86_400_000);
    expect(testIdText(page.text, 'expires-at')).toBe(formatDateTime(sub.expiresAt!, 'en', t.config.timeZone));
    expect(testIdText(page.text, 'expires-at')).toMatch(/^\d{1,2} [A-Z][a-z]{2} 2026, \d\d:\d\d$/);
    expect(testIdText(page.text, 'time-left')).toBe('30 days');
    expect(page.text).toContain('<progress class="usage-bar');
    expect(page.text).toContain(`id="subscription-url" type="text" readonly value="${await ownLinkOf(t.shop, sub.customerId, sub.id)}"`);
    expect(page.text).not.toContain(sub.subscriptionUrl!);
    expect(page.text).toContain('data-copy="#subscription-url"');
    expect(page.text.match(/data-testid="share-link"/g)?.length).toBe(sub.shareLinks.length);
    expect(page.text).toContain('data-copy="#share-link-1"');
    const qr = /src="data:image\/svg\+xml;base64,([^"]+)"[^>]*data-testid="qr"/.exec(page.text)?.[1];
    expect(Buffer.from(qr!, 'base64').toString()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(page.text).not.toMatch(/https?:\/\/[^"]*(qr|chart)[^"]*\?/i);
    // Every app the link's page offers without a one-tap import has its guide, in each language's catalog
    // (locales.test.ts keeps them equal); the others import in one tap from the link's page.
    const byHand = CLIENT_APPS.filter((a) => a.importLink === null).map((a) => a.id);
    for (const app of [...byHand, 'happ', 'v2raytun', 'streisand', 'nekobox']) expect(page.text).toContain(`data-guide="${app}"`);
    expect(page.text).toContain(`href="/subscriptions/${id}/extend" data-testid="extend-link"`);
  });

  it('gives each of several subscriptions its own link to add, never the account-wide one that carries them all', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 2000);
    const ids = [
      await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id),
      await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · unlimited')).id),
    ];
    const customerId = (await t.shop.storage.subscriptions.get(ids[0]!))!.customerId;
    const accountLink = await buyerLinkOf(t.shop, customerId);
    const shown: string[] = [];
    for (const id of ids) {
      const page = await buyer.agent.get(`/subscriptions/${id}`).expect(200);
      const own = await ownLinkOf(t.shop, customerId, id);
      expect(own).not.toBe(accountLink);
      expect(page.text).toContain(`id="subscription-url" type="text" readonly value="${own}"`);
      expect(page.text).toContain(`src="${await qrDataUrl(own)}"`);
      expect(page.text).not.toContain(accountLink);
      expect(page.text).toContain('data-testid="main-link-note"');
      // The page its "Its own link" button opens shows the same link.
      expect((await buyer.agent.get(`/subscriptions/${id}/link`).expect(200)).text).toContain(`value="${own}"`);
      shown.push(own);
    }
    expect(new Set(shown).size).toBe(2);
    // The account-wide link stays on the dashboard, for a device meant to have them all.
    expect((await buyer.agent.get('/dashboard').expect(200)).text).toContain(accountLink);
  });

  it('explains a start-on-first-use subscription, and says usage is not measured before the first reading', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 1000);
    const res = await buy(buyer, (await planNamed(t, 'Amsterdam · starts on first use')).id);
    const [pending] = await t.shop.storage.subscriptions.listByOrder(orderIdFrom(res.headers['location']));
    const before = await buyer.agent.get(`/subscriptions/${pending!.id}`).expect(200);
    expect(before.text).toContain('data-status="pending"');
    expect(before.text).toContain('Not measured yet');
    expect(before.text).toContain('http-equiv="refresh"');
    expect(before.text).not.toContain('data-testid="subscription-url"');
    await t.drain();
    const after = await buyer.agent.get(`/subscriptions/${pending!.id}`).expect(200);
    expect(after.text).toContain('data-status="on_hold"');
    expect(testIdText(after.text, 'expires-at')).toBe('Starts when you first connect');
    expect(after.text).toContain('data-testid="first-use"');
  });

  it('is in Farsi right to left, with the Jalali date in Persian digits', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 1000);
    const id = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    await buyer.agent.get('/lang/fa?next=/dashboard').expect(303);
    const page = await buyer.agent.get(`/subscriptions/${id}`).expect(200);
    expect(page.text).toContain('<html lang="fa" dir="rtl">');
    const expires = testIdText(page.text, 'expires-at') ?? '';
    expect(expires).toContain('۱۴۰۵');
    expect(expires).toContain('فروردین');
    expect(expires).not.toMatch(/[0-9]/);
    expect(page.text).toContain('فعال');
    expect(page.text).toContain('راهنمای اتصال');
  });

  it("answers another buyer's subscription (and its extension page) with 404", async () => {
    const owner = await signedUpBuyer(t.app);
    await fund(t, owner.email, 1000);
    const id = await boughtAndProvisioned(t, owner, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const other = await signedUpBuyer(t.app);
    const res = await other.agent.get(`/subscriptions/${id}`).expect(404);
    expect(testIdText(res.text, 'error-message')).toBe('That page does not exist, or it is not yours.');
    expect(res.text).not.toContain('data-testid="subscription-url"');
    await other.agent.get(`/subscriptions/${id}/extend`).expect(404);
    await other.agent.get('/subscriptions/sub_nope').expect(404);
  });
});
