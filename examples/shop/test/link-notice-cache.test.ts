import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_NOTICE_SETTING, LINK_NOTICE_TTL_MS, saveLinkNotice, type LinkNotice } from '../src/app/subscriptions/link-notice.js';
import { HAPP_ROUTING_OFF } from '@panelkit/subscription-feed/apps';
import { savePlanRouting } from '../src/db/plan-routing.js';
import { writeSetting } from '../src/db/shop-settings.js';
import { forgetRoutingPresets } from '../src/app/plans/routing-preset-reads.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const A = 'http://shop-a.example.com';
const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };
const STAFF = { type: 'system' as const, id: 'test' };

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: LIMITS }, env: { PUBLIC_URLS: A } });
});
afterAll(() => t.close());

const notice = (en: string): LinkNotice => ({ banner: { en, fa: '', ru: '', zh: '' }, supportUrl: null });
const bannerOf = (value: string | undefined) => Buffer.from((value ?? '').replace(/^base64:/, ''), 'base64').toString('utf8');

/** A buyer with one provisioned subscription: its id and the link's path. */
async function buyer(): Promise<{ sub: string; path: string }> {
  const visitor = await signedUpBuyer(t.app);
  await fund(t, visitor.email, 5000);
  const sub = await boughtAndProvisioned(t, visitor, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
  const page = await visitor.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  return { sub, path: new URL(url).pathname };
}

const refresh = (path: string) => supertest(t.app).get(path).set('user-agent', 'v2rayNG/1.10.2').set('host', new URL(A).host);

describe('the owner’s notice and the plans’ routing on the buyer’s link, read once per LINK_NOTICE_TTL_MS per replica', () => {
  it('is on this replica’s links at once when saved here, and within the TTL when another replica saves it', async () => {
    const { path } = await buyer();
    await saveLinkNotice(t.shop, notice('First'), STAFF);
    expect(bannerOf((await refresh(path).expect(200)).headers['announce'])).toBe('First');
    // Saved here: the next refresh shows it, the TTL notwithstanding.
    await saveLinkNotice(t.shop, notice('Second'), STAFF);
    expect(bannerOf((await refresh(path).expect(200)).headers['announce'])).toBe('Second');

    // Another replica saves (the row changes, this process is not told): served as read until the TTL passes.
    await writeSetting(t.shop, LINK_NOTICE_SETTING, notice('Third'), null, t.shop.clock.now(), 'acc_other_replica');
    t.clock.advance(LINK_NOTICE_TTL_MS - 1);
    expect(bannerOf((await refresh(path).expect(200)).headers['announce'])).toBe('Second');
    t.clock.advance(1);
    expect(bannerOf((await refresh(path).expect(200)).headers['announce'])).toBe('Third');
  });

  it('routes by the plans’ presets as read within the TTL: a preset another replica saves reaches the apps within it', async () => {
    const { path } = await buyer();
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const happ = () => supertest(t.app).get(path).set('user-agent', 'Happ/4.6.0/ios/2603181556604').set('host', new URL(A).host);
    forgetRoutingPresets(t.shop);
    expect((await happ().expect(200)).headers['routing']).toBeUndefined();
    // Another replica saves a preset (the row changes, this process is not told): routed as read until the TTL passes.
    await savePlanRouting(t.shop, plan.id, 'ru');
    t.clock.advance(LINK_NOTICE_TTL_MS - 1);
    expect((await happ().expect(200)).headers['routing']).toBeUndefined();
    t.clock.advance(1);
    expect((await happ().expect(200)).headers['routing']).toMatch(/^happ:\/\/routing\/onadd\//);
    // Removed here (`savePlan` forgets what this replica read): the next refresh turns Happ's routing off.
    await savePlanRouting(t.shop, plan.id, null);
    forgetRoutingPresets(t.shop);
    expect((await happ().expect(200)).headers['routing']).toBe(HAPP_ROUTING_OFF);
  });

  it('keeps nothing else: an expired subscription stops being served on the next refresh', async () => {
    const { sub, path } = await buyer();
    await saveLinkNotice(t.shop, notice(''), STAFF);
    const served = await refresh(path).expect(200);
    const { shareLinks } = (await t.shop.storage.subscriptions.get(sub))!;
    expect(Buffer.from(served.text, 'base64').toString('utf8').split('\n')).toEqual(shareLinks);
    const stored = (await t.shop.storage.subscriptions.get(sub))!;
    await t.shop.storage.subscriptions.update(sub, { status: 'expired' }, { expectedRevision: stored.revision });
    const after = Buffer.from((await refresh(path).expect(200)).text, 'base64')
      .toString('utf8')
      .split('\n');
    expect(after.some((link) => shareLinks.includes(link))).toBe(false);
  });
});
