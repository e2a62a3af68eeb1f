import supertest from 'supertest';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/stack/web-app.js';
import { saveLinkNotice } from '../src/app/subscriptions/link-notice.js';
import { announceAddressChange, SHOWN_ADDRESS_SETTING } from '../src/app/notifications/address-change.js';
import { writeSetting } from '../src/db/shop-settings.js';
import { feedTexts, placeholderLinks } from '@panelkit/subscription-feed';
import { boughtAndProvisioned, customerIdOf, fund, planNamed } from './support/buying.js';
import {
  csrfFrom,
  ROOMY_RATE_LIMITS,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';

// http: with https addresses the cookies are Secure and supertest (plain http) would not send them back.
const A = 'http://shop-a.example.com';
const B = 'http://mirror-b.example.net/vpn';
const RETIRED = 'old-c.example.org';
const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: LIMITS }, env: { SHOP_NAME: 'Demo', PUBLIC_URLS: `${A}, ${B}/` } });
});
afterAll(() => t.close());

/** The buyer's link as the dashboard shows it (on the first address). */
async function linkOf(buyer: Visitor): Promise<URL> {
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  return new URL(url);
}

const token = (url: URL) => url.pathname.split('/').pop() as string;
const get = (path: string, userAgent: string, host = new URL(A).host, accept?: string) => {
  const req = supertest(t.app).get(path).set('user-agent', userAgent).set('host', host);
  return accept === undefined ? req : req.set('accept', accept);
};
const decoded = (body: string) => Buffer.from(body, 'base64').toString('utf8').split('\n');
const headerText = (value: string | undefined) => Buffer.from((value ?? '').replace(/^base64:/, ''), 'base64').toString('utf8');
const names = (links: string[]) => links.map((l) => decodeURIComponent(l.slice(l.indexOf('#') + 1)));

async function buyerWithOne(): Promise<{ buyer: Visitor & { email: string }; sub: string; path: string; url: URL }> {
  const buyer = await signedUpBuyer(t.app);
  await fund(t, buyer.email, 5000);
  const sub = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
  const url = await linkOf(buyer);
  return { buyer, sub, path: `/s/${token(url)}`, url };
}

async function setStatus(id: string, status: 'active' | 'limited' | 'expired' | 'suspended'): Promise<void> {
  const sub = (await t.shop.storage.subscriptions.get(id))!;
  await t.shop.storage.subscriptions.update(id, { status }, { expectedRevision: sub.revision });
}

describe('the link answers each client app family in its format, with the apps’ headers', () => {
  it('base64 share links, Clash YAML, sing-box JSON, and the page for a browser; the same headers for each', async () => {
    const { sub, path, url } = await buyerWithOne();
    const { shareLinks } = (await t.shop.storage.subscriptions.get(sub))!;
    await saveLinkNotice(
      t.shop,
      {
        banner: { en: 'Black Friday: 20% off', fa: 'تخفیف', ru: 'Чёрная пятница: скидка 20%', zh: '黑色星期五：八折' },
        supportUrl: 'https://t.me/demo_support',
      },
      { type: 'system', id: 'test' },
    );
    const base64 = (b: string) => expect(decoded(b)).toEqual(shareLinks);
    const clash = (b: string) => expect((parse(b) as { proxies: unknown[] }).proxies.length).toBe(shareLinks.length);
    const singBox = (b: string) => expect(JSON.parse(b)).toHaveProperty('outbounds');
    const [TEXT, YAML, JSON_TYPE] = ['text/plain; charset=utf-8', 'text/yaml; charset=utf-8', 'application/json; charset=utf-8'];
    // User-Agents as each app writes them (its source, or its requests as the panels log them).
    const families: Array<[string, (body: string) => void, string]> = [
      ['v2rayNG/1.10.2', base64, TEXT],
      ['v2rayN/7.13.2', base64, TEXT],
      ['Happ/4.6.0/ios/2603181556604', base64, TEXT],
      ['Happ/1.63.1', base64, TEXT],
      ['v2raytun/android', base64, TEXT],
      ['v2raytun/ios', base64, TEXT],
      ['Streisand/1.6.3', base64, TEXT],
      ['clash-verge/v2.4.3', clash, YAML],
      ['FlClash/v0.8.96 clash-verge Platform/android', clash, YAML],
      ['mihomo/1.19.2', clash, YAML],
      ['SFA/1.12.4 (638; sing-box 1.12.4)', singBox, JSON_TYPE],
      ['SFI/1.11.4 (iOS)', singBox, JSON_TYPE],
      ['HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box', singBox, JSON_TYPE],
    ];
    for (const [userAgent, check, type] of families) {
      const res = await get(path, userAgent).expect(200);
      expect(res.headers['content-type'], userAgent).toBe(type);
      check(res.text);
      expect(res.headers['profile-web-page-url']).toBe(`${A}/s/${token(url)}`);
      expect(res.headers['support-url']).toBe('https://t.me/demo_support');
      expect(res.headers['profile-update-interval']).toBe('12');
      expect(res.headers['subscription-userinfo']).toMatch(/^upload=0; download=\d+; total=\d+; expire=\d+$/);
      expect(headerText(res.headers['announce'])).toBe('Black Friday: 20% off');
      expect(headerText(res.headers['profile-title'])).toBe('Demo');
      // Clash Verge Rev and FlClash name the profile after the file name.
      expect(res.headers['content-disposition']).toBe("inline; filename*=UTF-8''Demo");
    }
    const page = await get(
      path,
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131 Mobile Safari/537.36',
      undefined,
      'text/html',
    ).expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('data-testid="link-platform" data-platform="android"');
    const shownLink = encodeURIComponent(`${A}/s/${token(url)}`);
    expect(page.text).toContain(`v2rayng://install-sub?url=${shownLink}#Demo`);
    expect(page.text).toContain(`flclash://install-config?url=${shownLink}`);
    expect(page.text).toContain(`happ://add/${A}/s/${token(url)}`);
    expect(page.text).toContain(`v2raytun://import/${A}/s/${token(url)}`);
    // v2rayN registers no import scheme: listed with the link and QR and no button.
    const row = /<li class="link-app" data-app="v2rayn">[\s\S]*?<\/li>/.exec(page.text)?.[0] ?? '';
    expect(row).toContain('data-testid="get-');
    expect(row).not.toContain('data-testid="import-');
    // A tool asking for HTML that is not a browser still gets the links as text.
    expect((await get(path, 'curl/8.5', undefined, 'text/html').expect(200)).text.split('\n')).toEqual(shareLinks);
  });
});

describe('placeholder entries instead of nothing', () => {
  it('name the reason and where to renew in every format and the buyer’s language, and give way to the real links on renewal', async () => {
    const { buyer, sub, path, url } = await buyerWithOne();
    const { shareLinks } = (await t.shop.storage.subscriptions.get(sub))!;
    await buyer.agent.get('/lang/fa?next=/dashboard').expect(303);
    const page = `${A}/s/${token(url)}`;
    for (const [status, reason] of [
      ['limited', 'limited'],
      ['expired', 'expired'],
      ['suspended', 'suspended'],
    ] as const) {
      await setStatus(sub, status);
      const expected = placeholderLinks(reason, feedTexts('fa'), page);
      const plain = await get(path, 'v2rayNG/1.8.19').expect(200);
      expect(decoded(plain.text)).toEqual(expected);
      expect(names(expected)[1]).toContain(page);
      expect(headerText(plain.headers['announce'])).toContain(names(expected)[0] as string);
      const clash = parse((await get(path, 'clash-verge/v2.0.3').expect(200)).text) as { proxies: Array<{ name: string; server: string }> };
      expect(clash.proxies.map((p) => p.name)).toEqual(names(expected));
      expect(clash.proxies.every((p) => p.server === '0.0.0.0')).toBe(true);
      const singBox = JSON.parse((await get(path, 'SFA/1.12.4 (638; sing-box 1.12.4)').expect(200)).text) as {
        outbounds: Array<{ tag: string; server?: string }>;
      };
      expect(singBox.outbounds.filter((o) => o.server !== undefined).map((o) => o.tag)).toEqual(names(expected));
      await setStatus(sub, 'active');
      expect(decoded((await get(path, 'v2rayNG/1.8.19').expect(200)).text)).toEqual(shareLinks);
    }
  });

  it('are served for a reason a gate gives, and not once the gate lets the app through', async () => {
    const { sub, path, url } = await buyerWithOne();
    const { shareLinks } = (await t.shop.storage.subscriptions.get(sub))!;
    const gated = createApp(t.shop, {
      rateLimits: LIMITS,
      linkGates: [async ({ header }) => (header('x-hwid') === undefined ? 'hwid_required' : null)],
    });
    const asked = (hwid?: string) => {
      const req = supertest(gated).get(path).set('user-agent', 'Happ/1.63.1').set('host', new URL(A).host);
      return hwid === undefined ? req : req.set('x-hwid', hwid);
    };
    const refused = await asked().expect(200);
    expect(decoded(refused.text)).toEqual(placeholderLinks('hwid_required', feedTexts('en'), `${A}/s/${token(url)}`));
    expect(headerText(refused.headers['announce'])).toContain('This app must identify the device');
    expect(decoded((await asked('device-1').expect(200)).text)).toEqual(shareLinks);
  });

  it('are exported for every reason, the device ones included, in each language', () => {
    for (const reason of ['expired', 'limited', 'suspended', 'device_limit_reached', 'hwid_required'] as const) {
      const [en, fa] = [
        placeholderLinks(reason, feedTexts('en'), 'https://x.example/s/t'),
        placeholderLinks(reason, feedTexts('fa'), 'https://x.example/s/t'),
      ];
      expect(en).toHaveLength(2);
      expect(names(en)[0]).not.toBe(names(fa)[0]);
      expect(en[0]).toMatch(/^vless:\/\/0{8}-0{4}-0{4}-0{4}-0{12}@0\.0\.0\.0:1\?/);
    }
  });
});

describe('several public addresses', () => {
  it('serve every token on each address (a retired one too, telling the app which to use); retiring one changes no token', async () => {
    await saveLinkNotice(t.shop, { banner: { en: '', fa: '', ru: '', zh: '' }, supportUrl: null }, { type: 'system', id: 'test' });
    const { buyer, sub, path, url } = await buyerWithOne();
    expect(url.origin + url.pathname.replace(/\/s\/.*$/, '')).toBe(A);
    const { shareLinks } = (await t.shop.storage.subscriptions.get(sub))!;
    const shown = `${A}/s/${token(url)}`;
    const onFirst = await get(path, 'v2rayNG/1.8.19', new URL(A).host).expect(200);
    expect(onFirst.headers['announce']).toBeUndefined();
    for (const host of [new URL(B).host, RETIRED]) {
      const res = await get(path, 'v2rayNG/1.8.19', host).expect(200);
      expect(decoded(res.text)).toEqual(shareLinks);
      expect(headerText(res.headers['announce'])).toBe(`This address is retired: add ${shown} to your app.`);
    }
    // The owner retires A: B is shown, every token unchanged.
    const config = { ...t.shop.config, publicUrls: [B], publicUrl: B };
    const retired = createApp({ ...t.shop, config }, { rateLimits: LIMITS });
    const res = await supertest(retired).get(path).set('user-agent', 'v2rayNG/1.8.19').set('host', new URL(B).host).expect(200);
    expect(decoded(res.text)).toEqual(shareLinks);
    expect(res.headers['profile-web-page-url']).toBe(`${B}/s/${token(url)}`);
    expect(await t.shop.kit.links.tokenFor(await customerIdOf(t, buyer.email))).toBe(token(url));
  });
});

describe('the owner’s message to client apps', () => {
  it('is written per language in the admin, refused when bad (changing nothing), and sent to each buyer in theirs', async () => {
    const { buyer, path } = await buyerWithOne();
    const admin = await signedInAdmin(t.app);
    const form = await admin.agent.get('/admin/settings/link').expect(200);
    const bad = await admin.agent
      .post('/admin/settings/link')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), banner_en: 'Hello', banner_fa: 'سلام', supportUrl: 'javascript:alert(1)' })
      .expect(400);
    expect(bad.text).toContain('Hello');
    expect((await get(path, 'Happ/1.63.1').expect(200)).headers['support-url']).toBeUndefined();
    await admin.agent
      .post('/admin/settings/link')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), banner_en: 'Hello', banner_fa: 'سلام', supportUrl: 'https://t.me/help' })
      .expect(303);
    const en = await get(path, 'Happ/1.63.1').expect(200);
    expect(headerText(en.headers['announce'])).toBe('Hello');
    expect(en.headers['support-url']).toBe('https://t.me/help');
    await buyer.agent.get('/lang/fa?next=/dashboard').expect(303);
    expect(headerText((await get(path, 'Happ/1.63.1').expect(200)).headers['announce'])).toBe('سلام');
    const audit = await t.shop.storage.audit.list({ subjectType: 'shop', subjectId: 'settings' }, { limit: 20 });
    expect(audit.items.some((e) => e.action === 'settings.saved' && e.data['linkNotice'] === true)).toBe(true);
  });
});

describe('a new first address', () => {
  it('is told to every buyer with a link once per change, durably, whichever replica starts first', async () => {
    const { buyer } = await buyerWithOne();
    const customerId = await customerIdOf(t, buyer.email);
    const count = async () =>
      (
        await t.shop.db.query<{ params: { address: string } }>(
          `SELECT params FROM ${t.shop.shopSchema}.notifications WHERE kind = 'address_changed' AND customer_id = $1`,
          [customerId],
        )
      ).rows;
    // The shop started on A: nothing to tell.
    expect(await announceAddressChange(t.shop)).toBe(0);
    expect(await count()).toEqual([]);
    const movedToB = { ...t.shop, config: { ...t.shop.config, publicUrls: [B, A], publicUrl: B } };
    expect(await announceAddressChange(movedToB)).toBeGreaterThan(0);
    expect(await count()).toEqual([{ params: { address: B } }]);
    // Started again, or a second replica that read the old address before the first remembered the new one.
    expect(await announceAddressChange(movedToB)).toBe(0);
    await writeSetting(t.shop, SHOWN_ADDRESS_SETTING, { url: A }, null, t.clock.now(), null);
    expect(await announceAddressChange(movedToB)).toBe(0);
    expect(await count()).toHaveLength(1);
    await writeSetting(t.shop, SHOWN_ADDRESS_SETTING, { url: A }, null, t.clock.now(), null);
  });
});
