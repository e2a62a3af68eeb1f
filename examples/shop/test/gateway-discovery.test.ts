/**
 * Every gateway rail of the registry (`GATEWAY_RAILS`) is found by a client (issue 67): the JSON API's wallet lists each
 * one the owner turned on with what a top-up through it needs, the web wallet offers it, and `openapi.json` names it.
 * A rail added to the registry without a way to turn it on here fails this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCryptoBotSettings } from '../src/app/payments/cryptobot/settings.js';
import { saveEpaySettings } from '../src/app/payments/epay/settings.js';
import { GATEWAY_RAILS, railMethods, type GatewayRail } from '../src/app/payments/rails/gateway-rails.js';
import { saveStripeSettings } from '../src/app/payments/stripe/settings.js';
import { saveYooKassaSettings } from '../src/app/payments/yookassa/settings.js';
import { saveZarinpalSettings } from '../src/app/payments/zarinpal/settings.js';
import { WalletResponse } from '../src/routes/api/response-schemas.js';
import { signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

type RunningShop = ShopUnderTest['shop'];
/** Nothing listens here: listing a gateway never calls it. */
const NOWHERE = 'http://127.0.0.1:9/';
const at = new Date('2026-03-01T00:00:00.000Z');

/** For each rail: a currency it takes (as few as cover them all: a shop is started per currency) and the owner turning it on. */
const TURN_ON: Record<GatewayRail, { currency: string; name: string; turnOn(shop: RunningShop): Promise<void> }> = {
  cryptobot: {
    currency: 'RUB',
    name: 'CryptoBot',
    turnOn: (shop) => saveCryptoBotSettings(shop, { enabled: true, baseUrl: NOWHERE, token: '1:crypto-pay-token' }, at, null),
  },
  zarinpal: {
    currency: 'IRR',
    name: 'Zarinpal',
    turnOn: (shop) => saveZarinpalSettings(shop, { enabled: true, baseUrl: NOWHERE, merchantId: 'zarinpal-merchant' }, at, null),
  },
  epay: {
    currency: 'CNY',
    name: 'EPay',
    turnOn: (shop) => saveEpaySettings(shop, { enabled: true, baseUrl: NOWHERE, pid: '1001', key: 'epay-key', mode: 'submit' }, at, null),
  },
  yookassa: {
    currency: 'RUB',
    name: 'YooKassa',
    turnOn: (shop) =>
      saveYooKassaSettings(
        shop,
        { enabled: true, baseUrl: NOWHERE, shopId: '1001', receipts: false, vatCode: 1, secretKey: 'test_yookassa-key' },
        at,
        null,
      ),
  },
  stripe: {
    currency: 'CNY',
    name: 'Stripe',
    turnOn: (shop) =>
      saveStripeSettings(shop, { enabled: true, baseUrl: NOWHERE, secretKey: 'sk_test_key', webhookSecret: 'whsec_0123456789' }, at, null),
  },
};

const shops = new Map<string, ShopUnderTest>();
beforeAll(async () => {
  for (const rail of GATEWAY_RAILS) {
    const setup = TURN_ON[rail];
    if (setup === undefined || shops.has(setup.currency)) continue;
    shops.set(setup.currency, await startShop({ env: { PUBLIC_URL: 'http://127.0.0.1:9', SHOP_CURRENCY: setup.currency } }));
  }
}, 600_000);
afterAll(async () => {
  for (const t of shops.values()) await t.close();
});

describe('every gateway of the registry, as a client finds it', () => {
  it('has a way to be turned on here', () => {
    expect(GATEWAY_RAILS.filter((rail) => TURN_ON[rail] === undefined)).toEqual([]);
  });

  it('GET /api/v1/wallet lists each gateway the owner turned on, with its name, currency, limits and ways to pay, and the web wallet offers it', async () => {
    const buyers = new Map<string, Awaited<ReturnType<typeof signedUpBuyer>>>();
    for (const [currency, t] of shops) {
      const buyer = await signedUpBuyer(t.app);
      buyers.set(currency, buyer);
      const before = (await buyer.agent.get('/api/v1/wallet').expect(200)).body;
      expect(before.gateways).toEqual([]);
    }
    for (const rail of GATEWAY_RAILS) await TURN_ON[rail].turnOn(shops.get(TURN_ON[rail].currency)!.shop);

    for (const rail of GATEWAY_RAILS) {
      const { currency, name } = TURN_ON[rail];
      const buyer = buyers.get(currency)!;
      const wallet = (await buyer.agent.get('/api/v1/wallet').expect(200)).body;
      expect(WalletResponse.safeParse(wallet).error?.issues ?? []).toEqual([]);
      const gateway = (wallet.gateways as Array<{ id: string; topUpPath: string }>).find((g) => g.id === rail);
      expect(gateway, rail).toEqual({
        id: rail,
        name,
        currency,
        minAmount: 1,
        maxAmount: currency === 'IRR' ? 100_000_000_000 : 100_000_000, // a million, in minor units where the currency has them
        methods: [...railMethods(rail)],
        savesMethods: rail === 'yookassa' || rail === 'stripe',
        topUpPath: `/api/v1/gateway-topups/${rail}`,
      });
      // The path it names is the route (a body it refuses is a 400, not a 404), and the web wallet offers the same rail.
      await buyer.agent.post(gateway!.topUpPath).set('x-csrf-token', buyer.csrf).send({}).expect(400);
      expect((await buyer.agent.get('/wallet').expect(200)).text).toContain(`data-provider="${rail}"`);
    }
  });

  it('openapi.json names every gateway in the top-up’s path parameter, its summary with its ways to pay, and the wallet’s answer', async () => {
    const [t] = [...shops.values()];
    const doc = (await (await signedUpBuyer(t!.app)).agent.get('/api/v1/openapi.json').expect(200)).body;
    const topUp = doc.paths['/api/v1/gateway-topups/{rail}'].post;
    const rail = topUp.parameters.find((p: { name: string }) => p.name === 'rail');
    expect(rail).toMatchObject({ in: 'path', required: true, schema: { type: 'string', enum: [...GATEWAY_RAILS] } });
    for (const id of GATEWAY_RAILS) {
      expect(topUp.summary).toContain(`\`${id}\``);
      for (const method of railMethods(id)) expect(topUp.summary).toContain(`\`${method}\``);
    }
    const walletSchema = JSON.stringify(doc.paths['/api/v1/wallet'].get.responses['200']);
    expect(walletSchema).toContain('gateways');
    expect(walletSchema).toContain(JSON.stringify([...GATEWAY_RAILS]));
  });
});
