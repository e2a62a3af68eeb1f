import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { saveStripeSettings } from '../src/app/payments/stripe/settings.js';
import { saveYooKassaSettings } from '../src/app/payments/yookassa/settings.js';
import type { RunningShop } from '../src/stack/shop.js';
import { StripeSimulator, YooKassaSimulator } from '@panelkit/payment-providers/simulators';
import { heldPost } from './support/held-post.js';
import { shopBesideReplicas } from './support/shop-beside-replicas.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const skipped = DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : '';

const envOf = (rail: string, currency: string) => ({
  DATABASE_URL: DATABASE_URL as string,
  SHOP_SECRET: `${rail}-once-replicas-secret-${rail}-once-replicas`,
  SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
  SHOP_CURRENCY: currency,
  PUBLIC_URL: 'http://127.0.0.1:9',
  LOG_LEVEL: 'silent',
});

/**
 * One buyer's top-up form (one idempotency key) sent to both replicas at the same moment, both requests held at the
 * gateway until both have reached it: both answers are the one payment and the one page to pay on, and the gateway
 * holds one payment (`count`), as its idempotency key is the payment's, derived from the form's key.
 */
async function topUpOnBothReplicas(
  shop: RunningShop,
  replicas: readonly string[],
  sim: { holdPosts(count: number): void },
  rail: string,
  body: Record<string, string>,
  count: () => number,
): Promise<void> {
  const signedUp = await signUp(shop, { email: `${rail}-once@example.com`, password: 'correct horse battery', locale: 'en' });
  if (!signedUp.ok) throw new Error(signedUp.reason);
  const { token } = await shop.apiTokens.create(signedUp.account.id, `${rail} once`);
  const before = count();
  sim.holdPosts(2);
  const form = { ...body, idempotencyKey: `${rail}-once-${randomBytes(6).toString('hex')}` };
  const posts = replicas.map((url) => heldPost(url, `/api/v1/gateway-topups/${rail}`, token, form));
  await Promise.all(posts.map((p) => p.sent));
  const answers = await Promise.all(posts.map((p) => p.release()));
  const payments = (await shop.kit.payments.list({ customerId: signedUp.account.customerId }, { limit: 10 })).items;
  expect(payments).toHaveLength(1);
  const [payment] = payments;
  expect(answers.map((a) => [a.status, (a.body['payment'] as { id: string }).id, a.body['payUrl']])).toEqual([
    [202, payment!.id, payment!.details['redirectUrl']],
    [202, payment!.id, payment!.details['redirectUrl']],
  ]);
  expect(count()).toBe(before + 1);
}

describe.skipIf(DATABASE_URL === undefined)(`one YooKassa top-up form at two replicas at once${skipped}`, () => {
  const beside = shopBesideReplicas(2, envOf('yookassa', 'RUB'));
  let sim: YooKassaSimulator;
  beforeAll(async () => {
    sim = await new YooKassaSimulator().start();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('is one payment in the shop and one at YooKassa, the same page in both answers', async () => {
    const { shop, replicas } = beside;
    await saveYooKassaSettings(
      shop,
      { enabled: true, baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey, receipts: false, vatCode: 1 },
      new Date(),
      null,
    );
    await topUpOnBothReplicas(shop, replicas, sim, 'yookassa', { amount: '250', method: 'smart' }, () => sim.payments.size);
  }, 120_000);
});

describe.skipIf(DATABASE_URL === undefined)(`one Stripe top-up form at two replicas at once${skipped}`, () => {
  const beside = shopBesideReplicas(2, envOf('stripe', 'USD'));
  let sim: StripeSimulator;
  beforeAll(async () => {
    sim = await new StripeSimulator().start();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('is one payment in the shop and one Checkout Session at Stripe, the same page in both answers', async () => {
    const { shop, replicas } = beside;
    await saveStripeSettings(
      shop,
      { enabled: true, baseUrl: sim.url, secretKey: sim.secretKey, webhookSecret: sim.webhookSecret },
      new Date(),
      null,
    );
    await topUpOnBothReplicas(shop, replicas, sim, 'stripe', { amount: '25' }, () => sim.sessions.size);
  }, 120_000);
});
