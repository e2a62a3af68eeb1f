/**
 * Every buyer action in every channel: the table of use cases × channels (the web pages, the JSON API, the
 * Telegram bot). A web or API cell names the route that serves it and is checked against the routes
 * Express really has; a bot cell is an update sent to the running bot (through our own Bot API server)
 * whose answer must be that page, not the "use the buttons below" fallback. A cell left out (`null`)
 * must say why in `missing`, so a gap is a decision someone wrote down, never an accident.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { planNamed } from './support/buying.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function routesOf(app: Express): Set<string> {
  const found = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on) found.add(`${method} ${layer.route.path}`);
      } else if (layer.handle?.stack !== undefined) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

/** What a bot cell can use: the buyer, the menu message, a subscription of theirs and a plan it may move to. */
interface BotWorld {
  buyer: TelegramUser;
  menu: BotCall;
  details: BotCall;
  subId: string;
  otherPlanId: string;
  trialPlanId: string;
}

interface Row {
  useCase: string;
  web: string | null;
  api: string | null;
  bot: ((w: BotWorld) => Promise<BotCall>) | null;
  /** Why a channel has no cell. */
  missing?: string;
}

const TABLE: Row[] = [
  {
    useCase: 'buy a plan',
    web: 'post /checkout/:planId',
    api: 'post /api/v1/checkout',
    bot: (w) => w.buyer.press(w.menu, 'cat'),
  },
  {
    useCase: 'free trial',
    web: 'post /checkout/:planId',
    api: 'post /api/v1/checkout',
    bot: (w) => w.buyer.send(w.buyer.tap(`t:${w.trialPlanId}`, messageIdOf(w.menu))),
  },
  {
    useCase: 'wallet top-up',
    web: 'post /wallet/topup/:provider',
    api: 'post /api/v1/topups/:provider',
    bot: (w) => w.buyer.press(w.menu, 'tu'),
  },
  {
    useCase: 'subscriptions with QR and links',
    web: 'get /subscriptions/:id',
    api: 'get /api/v1/subscriptions/:id',
    bot: (w) => w.buyer.press(w.details, 'q:'),
  },
  {
    useCase: 'extension',
    web: 'post /subscriptions/:id/extend',
    api: 'post /api/v1/subscriptions/:id/extension',
    bot: (w) => w.buyer.press(w.details, 'x:'),
  },
  {
    useCase: 'traffic top-up',
    web: 'post /subscriptions/:id/traffic',
    api: 'post /api/v1/subscriptions/:id/traffic',
    bot: (w) => w.buyer.press(w.details, 'tt:'),
  },
  {
    useCase: 'plan change',
    web: 'post /subscriptions/:id/plan',
    api: 'post /api/v1/subscriptions/:id/plan-change',
    bot: (w) => w.buyer.press(w.details, 'pl:'),
  },
  {
    useCase: 'discount code',
    web: 'post /checkout/:planId',
    api: 'post /api/v1/checkout/quote',
    bot: (w) => w.buyer.send(w.buyer.message('/code NOSUCHCODE')),
  },
  { useCase: 'referrals', web: 'get /referrals', api: 'get /api/v1/referrals', bot: (w) => w.buyer.press(w.menu, 'ref') },
  {
    useCase: 'auto-renew on/off',
    web: 'post /subscriptions/:id/auto-renew',
    api: 'post /api/v1/subscriptions/:id/auto-renew',
    bot: (w) => w.buyer.press(w.details, 'ar1:'),
  },
  {
    useCase: 'notification settings',
    web: 'post /account/notifications',
    api: 'post /api/v1/notification-settings',
    bot: (w) => w.buyer.press(w.menu, 'ntf'),
  },
  {
    useCase: 'rotate the /s/ link',
    web: 'post /account/subscription-link/rotate',
    api: 'post /api/v1/subscription-link/rotate',
    bot: async (w) => w.buyer.press(await w.buyer.press(w.menu, 'subs'), 'lr'),
  },
  {
    useCase: 'reseller pages',
    web: 'get /account/reseller',
    api: 'get /api/v1/reseller',
    bot: null,
    missing: 'bot: a reseller works from the web or with its API token (its clients and price book); the bot is for buyers',
  },
];

let s: BotShop;
let world: BotWorld;
beforeAll(async () => {
  s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
  const { shop, clock } = s.t;
  const buyer = new TelegramUser(s.fake, clock, 6601);
  const menu = await buyer.send(buyer.message('/start'));
  const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
  const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
  const other = await planNamed(s.t, 'Frankfurt · 3 months · 200');
  await shop.kit.topUp({ customerId, amount: { amount: 10_000, currency: plan.price.currency }, idempotencyKey: 'table-topup' });
  const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'table-buy' });
  await s.t.drain();
  const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
  const trialPlan = (await shop.storage.plans.list({ onSale: true })).find((p) => p.trial !== null && p.id !== plan.id) ?? plan;
  world = { buyer, menu, details, subId: subscriptions[0]!.id, otherPlanId: other.id, trialPlanId: trialPlan.id };
});
afterAll(() => s.close());

describe('every buyer action in every channel', () => {
  it('has a written reason for every channel left out', () => {
    for (const row of TABLE) {
      const gaps = (['web', 'api', 'bot'] as const).filter((channel) => row[channel] === null);
      for (const channel of gaps) expect(row.missing, `${row.useCase} has no ${channel} cell`).toMatch(new RegExp(`^${channel}:`));
    }
  });

  it.each(TABLE.filter((r) => r.web !== null).map((r) => [r.useCase, r.web!]))('web: %s is served (%s)', (_useCase, route) => {
    expect(routesOf(s.t.app)).toContain(route);
  });

  it.each(TABLE.filter((r) => r.api !== null).map((r) => [r.useCase, r.api!]))('JSON API: %s is served (%s)', (_useCase, route) => {
    expect(routesOf(s.t.app)).toContain(route);
  });

  const fallback = translator('en')('telegram.menu.hint');
  it.each(TABLE.filter((r) => r.bot !== null).map((r) => [r.useCase, r.bot!] as const))(
    'bot: %s answers with its page',
    async (_useCase, open) => {
      const answer = await open(world);
      expect(answer.ok).toBe(true);
      const text = textOf(answer);
      expect(text === '' && buttonsOf(answer).length === 0 && answer.method !== 'sendPhoto').toBe(false);
      expect(text).not.toBe(fallback);
      expect(text).not.toBe(translator('en')('telegram.notYours'));
    },
  );
});
