import { Writable } from 'node:stream';
import supertest from 'supertest';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/stack/web-app.js';
import { hashToken } from '../src/db/sessions.js';
import { createLogger } from '../src/logging/logger.js';
import { boughtAndProvisioned, buy, customerIdOf, fund, orderIdFrom, planNamed } from './support/buying.js';
import { csrfFrom, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const GiB = 1024 ** 3;
const LIMITS = {
  signIn: { limit: 50, windowMs: 60_000 },
  signUp: { limit: 100, windowMs: 60_000 },
  checkout: { limit: 100, windowMs: 60_000 },
};

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: { rateLimits: { ...LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } } },
    env: { SHOP_NAME: 'فروشگاه Demo' },
  });
});
afterAll(() => t.close());

/** The `/s/<token>` path the buyer's dashboard shows. */
async function linkPathOf(buyer: Visitor): Promise<string> {
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  return new URL(url).pathname;
}

const asApp = (path: string, userAgent: string) => supertest(t.app).get(path).set('user-agent', userAgent);
const decoded = (body: string) => Buffer.from(body, 'base64').toString('utf8').split('\n');

/** A buyer with a Frankfurt and an Amsterdam subscription (two panels), both active. */
async function buyerWithTwoPanels(): Promise<{ buyer: Visitor & { email: string }; fra: string; ams: string }> {
  const buyer = await signedUpBuyer(t.app);
  await fund(t, buyer.email, 5000);
  const fra = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
  t.clock.advance(60_000);
  const ams = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Amsterdam · 1 month · 100')).id);
  return { buyer, fra, ams };
}

describe('the shop-owned subscription link', () => {
  it('serves every subscription’s share links, base64 to client apps, with summed usage, title and refresh headers', async () => {
    const { buyer, fra, ams } = await buyerWithTwoPanels();
    const [a, b] = [(await t.shop.storage.subscriptions.get(fra))!, (await t.shop.storage.subscriptions.get(ams))!];
    expect(a.panelId).not.toBe(b.panelId);
    expect(a.shareLinks.length).toBeGreaterThan(0);
    expect(b.shareLinks.length).toBeGreaterThan(0);
    t.clock.advance(1000);
    await t.shop.storage.subscriptions.recordUsage([
      { subscriptionId: fra, usedBytes: 3 * GiB, observedAt: t.clock.now() },
      { subscriptionId: ams, usedBytes: 5 * GiB, observedAt: t.clock.now() },
    ]);
    const path = await linkPathOf(buyer);
    expect(path).toMatch(/^\/s\/[A-Za-z0-9_-]{32}$/);

    for (const userAgent of ['v2rayNG/1.8.19', 'Streisand/1.6.3', 'v2rayN/7.2']) {
      const res = await asApp(path, userAgent).expect(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(decoded(res.text)).toEqual([...a.shareLinks, ...b.shareLinks]);
      const expire = Math.floor(Math.min(a.expiresAt!.getTime(), b.expiresAt!.getTime()) / 1000);
      expect(res.headers['subscription-userinfo']).toBe(`upload=0; download=${8 * GiB}; total=${150 * GiB}; expire=${expire}`);
      expect(res.headers['profile-title']).toBe(`base64:${Buffer.from('فروشگاه Demo').toString('base64')}`);
      expect(res.headers['profile-update-interval']).toBe('12');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const clash = await asApp(path, 'clash-verge/v2.0.3').expect(200);
    expect(clash.headers['content-type']).toBe('text/yaml; charset=utf-8');
    expect(clash.headers['subscription-userinfo']).toMatch(/^upload=0; download=/);
    const profile = parse(clash.text) as { proxies: Array<{ server: string }>; 'proxy-groups': Array<{ name: string; proxies: string[] }> };
    expect(profile.proxies.length).toBeGreaterThanOrEqual(2);
    expect(profile['proxy-groups'][0]?.name).toBe('فروشگاه Demo');
    for (const [userAgent, dnsServer] of [
      ['SFA/1.12.4 (638; sing-box 1.12.4; language en)', { type: 'https', tag: 'remote', server: '1.1.1.1', detour: 'فروشگاه Demo' }],
      [
        'HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box',
        { tag: 'remote', address: 'https://1.1.1.1/dns-query', detour: 'فروشگاه Demo' },
      ],
    ] as const) {
      const singBox = await asApp(path, userAgent).expect(200);
      expect(singBox.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(singBox.headers['subscription-userinfo']).toMatch(/^upload=0; download=/);
      const config = JSON.parse(singBox.text) as {
        outbounds: Array<{ type: string; tag: string; server?: string; outbounds?: string[] }>;
        dns: { servers: unknown[] };
      };
      const proxies = config.outbounds.filter((o) => o.server !== undefined);
      expect(proxies.length).toBe(a.shareLinks.length + b.shareLinks.length);
      expect(config.outbounds[0]).toMatchObject({
        type: 'selector',
        tag: 'فروشگاه Demo',
        outbounds: ['auto', ...proxies.map((p) => p.tag)],
      });
      expect(config.dns.servers[0]).toEqual(dnsServer);
    }
    const browser = await supertest(t.app)
      .get(path)
      .set('user-agent', 'Mozilla/5.0')
      .set('accept', 'text/html,application/xhtml+xml')
      .expect(200);
    expect(browser.text.split('\n')).toEqual([...a.shareLinks, ...b.shareLinks]);
  });

  it('reads unlimited as total 0, leaves out expired and terminated subscriptions, and follows a subscription to another panel', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 5000);
    const unlimited = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · unlimited')).id);
    const other = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const path = await linkPathOf(buyer);
    expect((await asApp(path, 'v2rayNG/1.8.19')).headers['subscription-userinfo']).toMatch(/; total=0; /);

    const sub = (await t.shop.storage.subscriptions.get(other))!;
    await t.shop.storage.subscriptions.update(other, { status: 'expired' }, { expectedRevision: sub.revision });
    const onlyUnlimited = (await t.shop.storage.subscriptions.get(unlimited))!;
    expect(decoded((await asApp(path, 'v2rayNG/1.8.19').expect(200)).text)).toEqual(onlyUnlimited.shareLinks);

    // Moved to another panel: new links behind the same URL.
    const moved = ['vless://11111111-2222-3333-4444-555555555555@new.example.net:443?security=reality&type=tcp#moved'];
    await t.shop.storage.subscriptions.update(
      unlimited,
      { shareLinks: moved, panelId: onlyUnlimited.panelId },
      { expectedRevision: onlyUnlimited.revision },
    );
    expect(decoded((await asApp(path, 'v2rayNG/1.8.19').expect(200)).text)).toEqual(moved);
  });

  it('is rotated by the buyer: the old link is a 404 at once and the page shows the new one', async () => {
    const { buyer } = await buyerWithTwoPanels();
    const old = await linkPathOf(buyer);
    const page = await buyer.agent.get('/dashboard').expect(200);
    const res = await buyer.agent
      .post('/account/subscription-link/rotate')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(res.headers['location']).toBe('/dashboard?done=sublink.rotated');
    const fresh = await linkPathOf(buyer);
    expect(fresh).not.toBe(old);
    await asApp(old, 'v2rayNG/1.8.19').expect(404);
    await asApp(fresh, 'v2rayNG/1.8.19').expect(200);
    await buyer.agent.post('/account/subscription-link/rotate').type('form').send({}).expect(403);
  });

  it('is rotated by an admin from the customer page, and a buyer cannot rotate someone else’s', async () => {
    const { buyer } = await buyerWithTwoPanels();
    const old = await linkPathOf(buyer);
    const customerId = await customerIdOf(t, buyer.email);
    const other = await signedUpBuyer(t.app);
    const otherPage = await other.agent.get('/dashboard').expect(200);
    await other.agent
      .post(`/admin/customers/${customerId}/subscription-link/rotate`)
      .type('form')
      .send({ _csrf: csrfFrom(otherPage.text) })
      .expect(403);
    await asApp(old, 'v2rayNG/1.8.19').expect(200);

    const admin = await signedInAdmin(t.app);
    const customerPage = await admin.agent.get(`/admin/customers/${customerId}`).expect(200);
    expect(customerPage.text).toContain('data-testid="admin-rotate-link"');
    await admin.agent
      .post(`/admin/customers/${customerId}/subscription-link/rotate`)
      .type('form')
      .send({ _csrf: csrfFrom(customerPage.text) })
      .expect(303);
    await asApp(old, 'v2rayNG/1.8.19').expect(404);
    expect(await linkPathOf(buyer)).not.toBe(old);
    await admin.agent
      .post('/admin/customers/cus_nobody/subscription-link/rotate')
      .type('form')
      .send({ _csrf: csrfFrom(customerPage.text) })
      .expect(404);
  });

  it('keeps only a hash of the token, and answers unknown or malformed tokens with a 404 that reveals nothing', async () => {
    const { buyer } = await buyerWithTwoPanels();
    const token = (await linkPathOf(buyer)).slice('/s/'.length);
    // The SDK's table (`kit.links`): the nonce and the token's hash, never the token.
    const { rows } = await t.shop.db.query<Record<string, unknown>>(`SELECT * FROM "${t.shop.config.schema}".link_tokens`);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.some((r) => r['token_hash'] === hashToken(token))).toBe(true);
    for (const path of ['/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `/s/${token.slice(0, -1)}`, `/s/${token}x`]) {
      const res = await asApp(path, 'v2rayNG/1.8.19').expect(404);
      expect(res.headers['subscription-userinfo']).toBeUndefined();
    }
    // A NUL is refused by the input layer before any route (as in every other path).
    expect((await asApp('/s/%00', 'v2rayNG/1.8.19').expect(400)).headers['subscription-userinfo']).toBeUndefined();
  });

  it('is rate-limited per address', async () => {
    const limited = createApp(t.shop, { rateLimits: { ...LIMITS, subscriptionLink: { limit: 3, windowMs: 60_000 } } });
    const { buyer } = await buyerWithTwoPanels();
    const path = await linkPathOf(buyer);
    for (let i = 0; i < 3; i++) await supertest(limited).get(path).set('user-agent', 'v2rayNG/1.8.19').expect(200);
    await supertest(limited).get(path).set('user-agent', 'v2rayNG/1.8.19').expect(429);
    await supertest(limited).get('/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(429);
  });

  it('never writes the token to the request log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = createApp({ ...t.shop, logger: createLogger('info', sink) }, { rateLimits: LIMITS });
    const { buyer } = await buyerWithTwoPanels();
    const path = await linkPathOf(buyer);
    await supertest(logged).get(path).set('user-agent', 'v2rayNG/1.8.19').expect(200);
    const text = lines.join('');
    expect(text).toContain('/s/[redacted]');
    expect(text).not.toContain(path.slice('/s/'.length));
  });

  it('is on the order page once the order’s subscription is live, not before', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 1000);
    const res = await buy(buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const orderPath = `/orders/${orderIdFrom(res.headers['location'])}`;
    expect((await buyer.agent.get(orderPath).expect(200)).text).not.toContain('data-testid="shop-link"');
    await t.drain();
    const page = await buyer.agent.get(orderPath).expect(200);
    const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
    expect(url).toBeDefined();
    expect(new URL(url!).pathname).toBe(await linkPathOf(buyer));
    expect(page.text).toContain('data-testid="shop-link-qr"');
  });
});
