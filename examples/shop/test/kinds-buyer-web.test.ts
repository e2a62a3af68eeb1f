/**
 * Issue 92: the buyer's web pages deliver WireGuard, AmneziaWG and Telegram-proxy parts (design §8, §11). One card per
 * part, the parts of one bundle under the plan's name; a config part offers its `.conf` (the feed's route under the
 * page's link), the zip when the link serves several, the conf as a QR (plain WireGuard only) and the apps that import
 * it; a Telegram part its `https://t.me/proxy` and `tg://` links and a QR. Xray parts are shown as they always were.
 * Parts are written into storage with the panels' share links, as checkout will make them.
 */
import { wireGuardConf } from '@panelkit/subscription-feed/formats';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { ownLinkOf } from '../src/app/subscriptions/own-link.js';
import { customerIdOf } from './support/buying.js';
import { CLIENT_KEYS, MTPROTO_SECRET, partsFor } from './support/kind-parts.js';
import { ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
});
afterAll(() => t.close());

/** The markup of the element `<tag … data-testid="testId" data-subscription-id="id"…>` up to its closing tag. */
function cardOf(html: string, testId: string, id: string): string {
  const start = html.indexOf(`data-testid="${testId}" data-subscription-id="${id}"`);
  if (start < 0) throw new Error(`no ${testId} of ${id}`);
  const end = html.indexOf('</article>', start);
  return html.slice(start, end < 0 ? undefined : end);
}

const hrefOf = (html: string, testId: string) => new RegExp(`href="([^"]*)"[^>]*data-testid="${testId}"`).exec(html)?.[1];
const ampersands = (s: string | undefined) => s?.replaceAll('&amp;', '&');

async function bundleBuyer() {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await customerIdOf(t, buyer.email);
  const [xray, wg, awg, tg] = await partsFor(t.shop, customerId, ['xray', 'wireguard', 'amneziawg', 'mtproto']);
  return { buyer, customerId, xray: xray!, wg: wg!, awg: awg!, tg: tg! };
}

describe('the dashboard', () => {
  it('groups a bundle’s parts under the plan’s name, one card each, with each part’s way to connect', async () => {
    const { buyer, customerId, xray, wg, awg, tg } = await bundleBuyer();
    const page = (await buyer.agent.get('/dashboard').expect(200)).text;
    const link = await buyerLinkOf(t.shop, customerId);
    const [plan] = await t.shop.storage.plans.list();

    const bundle = /<section class="bundle" data-testid="bundle"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(bundle).toContain(`data-bundle-id="${wg.bundleId}"`);
    expect(/data-testid="bundle-name">([^<]*)</.exec(bundle)?.[1]).toBe(plan!.name);
    const inBundle = [...bundle.matchAll(/data-testid="subscription-card" data-subscription-id="([^"]+)"/g)].map((m) => m[1]);
    expect(inBundle.sort()).toEqual([xray, wg, awg, tg].map((s) => s.id).sort());

    const wgCard = cardOf(page, 'subscription-card', wg.id);
    expect(wgCard).toContain('data-kind="wireguard"');
    expect(hrefOf(wgCard, 'download-config')).toBe(`${link}/config/${wg.id}.conf`);
    // Two configs on the account's link (WireGuard and AmneziaWG): the zip of both is offered.
    expect(hrefOf(wgCard, 'download-configs-zip')).toBe(`${link}/configs.zip`);
    expect(hrefOf(cardOf(page, 'subscription-card', awg.id), 'download-config')).toBe(`${link}/config/${awg.id}.conf`);

    const tgCard = cardOf(page, 'subscription-card', tg.id);
    expect(ampersands(hrefOf(tgCard, 'open-telegram-proxy'))).toBe(
      `https://t.me/proxy?server=tg.example.com&port=443&secret=${MTPROTO_SECRET}`,
    );
    expect(tgCard).toContain(`value="tg://proxy?server=tg.example.com&amp;port=443&amp;secret=${MTPROTO_SECRET}"`);

    // The Xray part's card is as it always was: no delivery block, the card's own link.
    const xrayCard = cardOf(page, 'subscription-card', xray.id);
    expect(xrayCard).not.toContain('data-testid="part-delivery"');
    expect(xrayCard).toContain(`href="/subscriptions/${xray.id}/link"`);
  });

  it('shows a part sold alone on its own card, with no zip for a single config', async () => {
    const buyer = await signedUpBuyer(t.app);
    const [wg] = await partsFor(t.shop, await customerIdOf(t, buyer.email), ['wireguard'], { bundle: false });
    const page = (await buyer.agent.get('/dashboard').expect(200)).text;
    expect(page).not.toContain('data-testid="bundle"');
    const card = cardOf(page, 'subscription-card', wg!.id);
    expect(card).toContain('data-testid="download-config"');
    expect(card).not.toContain('data-testid="download-configs-zip"');
  });
});

describe('a part’s page', () => {
  it('WireGuard: the config to download under the part’s own link, the zip of its bundle, its QR, text and apps', async () => {
    const { buyer, customerId, wg } = await bundleBuyer();
    const page = (await buyer.agent.get(`/subscriptions/${wg.id}`).expect(200)).text;
    const own = await ownLinkOf(t.shop, customerId, wg.id);
    expect(hrefOf(page, 'download-config')).toBe(`${own}/config/${wg.id}.conf`);
    expect(page).toMatch(/download="DE_Frankfurt_2\.conf"/);
    expect(hrefOf(page, 'download-configs-zip')).toBe(`${own}/configs.zip`);
    expect(page).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[^"]+"[^>]*data-testid="config-qr"/);
    const text = /data-testid="config-text">[\s\S]*?<pre dir="ltr">([\s\S]*?)<\/pre>/.exec(page)?.[1];
    expect(text).toBe(wireGuardConf(wg.shareLinks[0]!));
    expect(text).toContain(`PrivateKey = ${CLIENT_KEYS.privateKey}`);
    expect([...page.matchAll(/data-app="([^"]+)"/g)].map((m) => m[1])).toEqual(expect.arrayContaining(['wireguard', 'amneziavpn']));
    // Not an Xray subscription: no subscription link to add to an app, no Xray app guides.
    expect(page).not.toContain('id="subscription-url"');
    expect(page).not.toContain('data-testid="client-guides"');
  });

  it('AmneziaWG: the file and its text, for AmneziaVPN, and no QR (its app reads another QR format)', async () => {
    const { buyer, awg } = await bundleBuyer();
    const page = (await buyer.agent.get(`/subscriptions/${awg.id}`).expect(200)).text;
    expect(page).toContain('data-testid="download-config"');
    expect(page).toContain('data-testid="amnezia-note"');
    expect(page).not.toContain('data-testid="config-qr"');
    expect(page).toContain('Jc = 4');
    expect(/data-testid="part-apps">([\s\S]*?)<\/p>/.exec(page)?.[1]).not.toContain('data-app="wireguard"');
  });

  it('Telegram proxy: "Open in Telegram", the tg:// link to copy, and a QR', async () => {
    const { buyer, tg } = await bundleBuyer();
    const page = (await buyer.agent.get(`/subscriptions/${tg.id}`).expect(200)).text;
    expect(ampersands(hrefOf(page, 'open-telegram-proxy'))).toBe(
      `https://t.me/proxy?server=tg.example.com&port=443&secret=${MTPROTO_SECRET}`,
    );
    expect(page).toMatch(/value="tg:\/\/proxy\?server=tg\.example\.com[^"]*" data-testid="telegram-proxy-link"/);
    expect(page).toContain('data-testid="telegram-proxy-qr"');
    expect(page).toContain('data-app="telegram"');
    expect(page).not.toContain('data-testid="download-config"');
  });

  it('Xray in the same bundle: the link, its QR and the guides, as always', async () => {
    const { buyer, xray } = await bundleBuyer();
    const page = (await buyer.agent.get(`/subscriptions/${xray.id}`).expect(200)).text;
    expect(page).toContain('id="subscription-url"');
    expect(page).toContain('data-testid="client-guides"');
    expect(page).not.toContain('data-testid="part-delivery"');
  });

  it('says a part with no link yet is not ready, and hands out no config', async () => {
    const buyer = await signedUpBuyer(t.app);
    const [wg] = await partsFor(t.shop, await customerIdOf(t, buyer.email), ['wireguard'], { noLinks: true });
    const page = (await buyer.agent.get(`/subscriptions/${wg!.id}`).expect(200)).text;
    expect(page).toContain('data-testid="part-not-ready"');
    expect(page).not.toContain('data-testid="download-config"');
  });
});

describe('the link’s config files (the feed’s routes, mounted by the shop)', () => {
  it('serve the .conf the page links to, and the zip the dashboard offers; nothing for a part not in the link', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t, buyer.email);
    const [wg, awg] = await partsFor(t.shop, customerId, ['wireguard', 'amneziawg']);
    const page = (await buyer.agent.get(`/subscriptions/${wg!.id}`).expect(200)).text;
    const conf = await supertest(t.app)
      .get(new URL(hrefOf(page, 'download-config')!).pathname)
      .expect(200);
    expect(conf.text).toBe(wireGuardConf(wg!.shareLinks[0]!));
    expect(conf.headers['content-disposition']).toBe('attachment; filename="DE_Frankfurt_1.conf"');
    const dashboard = (await buyer.agent.get('/dashboard').expect(200)).text;
    const zip = await supertest(t.app)
      .get(new URL(hrefOf(dashboard, 'download-configs-zip')!).pathname)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect((zip.body as Buffer).subarray(0, 4).toString('hex')).toBe('504b0304');
    // Another buyer's part is not in this buyer's link.
    const other = await signedUpBuyer(t.app);
    const [theirs] = await partsFor(t.shop, await customerIdOf(t, other.email), ['wireguard']);
    const link = await buyerLinkOf(t.shop, customerId);
    await supertest(t.app)
      .get(`${new URL(link).pathname}/config/${theirs!.id}.conf`)
      .expect(404);
    expect(awg).toBeDefined();
  });

  it('are not offered for a part that stopped (expired): no button that would answer 404', async () => {
    const buyer = await signedUpBuyer(t.app);
    const [wg] = await partsFor(t.shop, await customerIdOf(t, buyer.email), ['wireguard']);
    await t.shop.storage.subscriptions.update(wg!.id, { status: 'expired' }, { expectedRevision: wg!.revision });
    const card = cardOf((await buyer.agent.get('/dashboard').expect(200)).text, 'subscription-card', wg!.id);
    expect(card).not.toContain('data-testid="part-delivery"');
    const page = (await buyer.agent.get(`/subscriptions/${wg!.id}`).expect(200)).text;
    expect(page).not.toContain('data-testid="download-config"');
    expect(page).not.toContain('id="subscription-url"');
  });
});

describe('the link’s page in a browser', () => {
  it('lists the bundle under the plan’s name with each part’s delivery under that link, and no Xray apps for a link without Xray', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t, buyer.email);
    const [wg, tg] = await partsFor(t.shop, customerId, ['wireguard', 'mtproto']);
    const link = await buyerLinkOf(t.shop, customerId);
    const page = (
      await supertest(t.app)
        .get(new URL(link).pathname)
        .set('user-agent', 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131 Mobile Safari/537.36')
        .set('accept', 'text/html')
        .expect(200)
    ).text;
    expect(page).toContain(`data-testid="link-bundle" data-bundle-id="${wg!.bundleId}"`);
    expect(hrefOf(page, 'download-config')).toBe(`${link}/config/${wg!.id}.conf`);
    expect(page).toContain('data-testid="config-qr"');
    expect(page).not.toContain('data-testid="download-configs-zip"');
    expect(ampersands(hrefOf(page, 'open-telegram-proxy'))).toContain('https://t.me/proxy?server=tg.example.com');
    expect(page).toContain(`data-subscription-id="${tg!.id}"`);
    expect(page).not.toContain('data-testid="link-apps"');
  });
});
