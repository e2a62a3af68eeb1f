import { zonedDayOf } from '@panelkit/sdk/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { translator } from '../src/i18n/translate.js';
import { planNamed } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, type Visitor } from './support/shop-under-test.js';
import { startBotShop, textOf, type BotShop } from './support/telegram-driver.js';

const en = translator('en');
const GiB = 1024 ** 3;

/**
 * One definition of revenue in every channel: an order and a traffic top-up on the same day read the same in the
 * Telegram daily summary, on the web overview and in the JSON API (it used to be the order alone in Telegram, the
 * order and the top-up on the web).
 */
describe('the same revenue in Telegram, on the web and in the API', () => {
  let s: BotShop;
  let owner: Visitor;
  beforeAll(async () => {
    s = await startBotShop({ env: { SHOP_TIME_ZONE: 'Asia/Tehran' } });
    owner = await signedInAdmin(s.t.app);
  });
  afterAll(() => s.close());

  it('counts an order and a 5 GiB traffic top-up alike, and a wallet top-up nowhere', async () => {
    const { shop } = s.t;
    const plan = await planNamed(s.t, 'Amsterdam · 1 month');
    const currency = plan.price.currency;
    await shop.storage.plans.update(plan.id, { trafficTopUp: { pricePerGiB: { amount: 10, currency }, maxGiBPerPurchase: 100 } });
    const buyer = await signedUpBuyer(s.t.app);
    const customerId = (await shop.accounts.getByEmail(buyer.email))!.customerId;
    await shop.kit.topUp({ customerId, amount: { amount: plan.price.amount + 5000, currency }, idempotencyKey: 'figures-topup' });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'figures-order' });
    await s.t.drain();
    await shop.kit.buyTraffic({ subscriptionId: subscriptions[0]!.id, gib: 5, idempotencyKey: 'figures-traffic' });
    await s.t.drain();
    expect((await shop.storage.subscriptions.get(subscriptions[0]!.id))!.trafficLimitBytes).toBe((plan.trafficBytes ?? 0) + 5 * GiB);
    const day = zonedDayOf(shop.clock.now(), 'Asia/Tehran');
    const revenue = plan.price.amount + 50;

    const web = await owner.agent.get(`/admin?from=${day}&to=${day}`).expect(200);
    const webRevenue = /data-testid="total-revenue">([\s\S]*?)<\/dd>/.exec(web.text)?.[1]?.replace(/<[^>]+>/g, '');
    expect(webRevenue).toBe(formatMoney({ amount: revenue, currency }, 'en'));

    const api = await owner.agent.get(`/api/v1/sales?from=${day}&to=${day}`).set('accept', 'application/json').expect(200);
    expect(api.body.totals.revenue).toEqual([{ currency, amount: revenue }]);
    expect(api.body.days).toEqual([{ day, revenue: [{ currency, amount: revenue }], orders: 1, newSubscriptions: 1, inService: 1 }]);

    s.t.clock.advanceDays(1);
    const since = s.fake.calls.length;
    expect(await s.shopBot.queueDailySummary()).toBe(true);
    await s.shopBot.sendBroadcasts(); // the bot's jobs, the summary among them
    const sent = s.fake.callsSince(since, 'sendMessage');
    expect(textOf(sent[0] as never)).toContain(
      en('telegram.summary.revenue', { revenue: formatMoney({ amount: revenue, currency }, 'en') }),
    );
    expect(textOf(sent[0] as never)).toContain(en('telegram.summary.sales', { count: 1 }));
  });

  it('answers the JSON figures to owners only', async () => {
    const buyer = await signedUpBuyer(s.t.app);
    await buyer.agent.get('/api/v1/sales').set('accept', 'application/json').expect(403);
    await owner.agent.get('/api/v1/sales?from=2026-03-09&to=2026-03-01').set('accept', 'application/json').expect(400);
  });
});
