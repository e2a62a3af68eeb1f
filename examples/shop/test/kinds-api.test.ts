/**
 * Issue 92: the JSON API's subscriptions say what each is (`kind`), which were sold together (`bundleId`), and, asked
 * for by id, how a WireGuard/AmneziaWG or Telegram part is taken (`delivery`: the feed's `.conf` route and the zip of
 * the link's configs, or the proxy's two links); an Xray subscription has `delivery: null` and its link as before.
 * Every answer holds to the schema the OpenAPI description is generated from.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { SubscriptionListResponse, SubscriptionResponse } from '../src/routes/api/response-schemas.js';
import { customerIdOf } from './support/buying.js';
import { MTPROTO_SECRET, partsFor } from './support/kind-parts.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
});
afterAll(() => t.close());

function holds(schema: z.ZodType, body: unknown): void {
  const result = schema.safeParse(body);
  expect(result.success ? [] : result.error.issues).toEqual([]);
}

async function buyerWithToken() {
  const buyer = await signedUpBuyer(t.app);
  const page = await buyer.agent.get('/account/api-tokens').expect(200);
  const created = await buyer.agent
    .post('/account/api-tokens')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), name: 'kinds' })
    .expect(201);
  const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)?.[1];
  if (token === undefined) throw new Error('no token on the page');
  return { token, customerId: await customerIdOf(t, buyer.email) };
}

describe('a subscription in the JSON API', () => {
  it('carries its kind and bundle, and for a WireGuard or Telegram part its delivery links', async () => {
    const { token, customerId } = await buyerWithToken();
    const [xray, wg, awg, tg] = await partsFor(t.shop, customerId, ['xray', 'wireguard', 'amneziawg', 'mtproto']);
    const get = (path: string) => supertest(t.app).get(path).set('authorization', `Bearer ${token}`).expect(200);
    const link = await buyerLinkOf(t.shop, customerId);

    const list = (await get('/api/v1/subscriptions')).body;
    holds(SubscriptionListResponse, list);
    expect(new Map(list.items.map((s: { id: string; kind: string; bundleId: string }) => [s.id, [s.kind, s.bundleId]]))).toEqual(
      new Map([xray, wg, awg, tg].map((s) => [s!.id, [s!.kind, s!.bundleId]])),
    );
    expect(list.items[0]).not.toHaveProperty('delivery');

    const wgOne = (await get(`/api/v1/subscriptions/${wg!.id}`)).body;
    holds(SubscriptionResponse, wgOne);
    expect(wgOne).toMatchObject({ kind: 'wireguard', bundleId: wg!.bundleId, subscriptionUrl: link });
    expect(wgOne.delivery).toEqual({
      config: { url: `${link}/config/${wg!.id}.conf`, fileName: 'DE_Frankfurt_2.conf', zipUrl: `${link}/configs.zip` },
    });
    expect((await get(`/api/v1/subscriptions/${awg!.id}`)).body.delivery.config.url).toBe(`${link}/config/${awg!.id}.conf`);

    const tgOne = (await get(`/api/v1/subscriptions/${tg!.id}`)).body;
    holds(SubscriptionResponse, tgOne);
    const query = `server=tg.example.com&port=443&secret=${MTPROTO_SECRET}`;
    expect(tgOne.delivery).toEqual({ telegram: { tg: `tg://proxy?${query}`, https: `https://t.me/proxy?${query}` } });

    const xrayOne = (await get(`/api/v1/subscriptions/${xray!.id}`)).body;
    holds(SubscriptionResponse, xrayOne);
    expect(xrayOne).toMatchObject({ kind: 'xray', delivery: null, shareLinks: xray!.shareLinks });
  });

  it('gives no delivery for a part not set up yet', async () => {
    const { token, customerId } = await buyerWithToken();
    const [wg] = await partsFor(t.shop, customerId, ['wireguard'], { noLinks: true, bundle: false });
    const one = await supertest(t.app).get(`/api/v1/subscriptions/${wg!.id}`).set('authorization', `Bearer ${token}`).expect(200);
    holds(SubscriptionResponse, one.body);
    expect(one.body).toMatchObject({ kind: 'wireguard', bundleId: null, delivery: null });
  });

  it('is described in the OpenAPI document: kind, bundleId and the delivery forms', async () => {
    const doc = (await supertest(t.app).get('/api/v1/openapi.json').expect(200)).body;
    const answer = (path: string) => doc.paths[path].get.responses['200'].content['application/json'].schema;
    const one = answer('/api/v1/subscriptions/{id}').$defs.Subscription;
    expect(one.properties.kind.enum).toEqual(['xray', 'wireguard', 'amneziawg', 'mtproto']);
    expect(one.properties.bundleId).toBeDefined();
    const delivery = JSON.stringify(answer('/api/v1/subscriptions/{id}').$defs.PartDelivery);
    for (const field of ['config', 'url', 'fileName', 'zipUrl', 'telegram', 'tg', 'https']) expect(delivery).toContain(`"${field}"`);
    expect(JSON.stringify(answer('/api/v1/plans'))).toContain('"kinds"');
  });
});
