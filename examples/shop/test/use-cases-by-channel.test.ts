/**
 * Every buyer action in every channel: the table of use cases × channels (the web pages, the JSON API, the
 * Telegram bot). A web or API cell names the route that serves it and is checked against the routes
 * Express really has; a bot cell is an update sent to the running bot (through our own Bot API server)
 * whose answer must be that page, not the "use the buttons below" fallback. A cell left out (`null`)
 * must say why in `missing`, so a gap is a decision someone wrote down, never an accident.
 *
 * The Telegram Mini App is a fourth column that needs no cells of its own: it is the web pages opened inside
 * Telegram, signed in by Telegram's launch data (`routes/mini-app.ts`). So every web cell is also checked as the Mini
 * App uses it: the same route, with the session a Mini App sign-in gave the bot's buyer, its page answered (or its
 * form taken past sign-in and CSRF) for that buyer's customer.
 */
import type { Express } from 'express';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { planNamed } from './support/buying.js';
import { partsFor } from './support/kind-parts.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { paymentsOf } from '../src/app/payments/records.js';
import supertest from 'supertest';
import { csrfFrom } from './support/shop-under-test.js';
import { launchData } from './support/mini-app-launch.js';
import { saveCryptoBotSettings } from '../src/app/payments/cryptobot/settings.js';
import { saveStarsSettings } from '../src/app/payments/stars/settings.js';
import { CryptoBotSimulator } from '@panelkit/payment-providers/simulators';
import { startGatewayTopUp } from '../src/app/payments/rails/start-gateway-top-up.js';
import { openTicket } from '../src/app/support/tickets.js';
import { ADMIN_TELEGRAM_ID, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

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
  /** The bot buyer's customer. */
  customerId: string;
  planId: string;
  menu: BotCall;
  details: BotCall;
  subId: string;
  otherPlanId: string;
  trialPlanId: string;
  /** The cheapest plan's price: an amount the bot offers for a top-up. */
  cheapest: number;
  /** A support ticket of the bot's buyer. */
  ticketId: string;
  /** A subscription of theirs whose plan sells extra devices (device packs). */
  packSubId: string;
  /** A WireGuard part of theirs and a Telegram-proxy part (issue 92), written into storage with the panels' links. */
  wireGuardSubId: string;
  telegramSubId: string;
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
    useCase: 'wallet top-up in Telegram Stars',
    web: 'post /wallet/stars',
    api: 'post /api/v1/stars-topups',
    bot: (w) => w.buyer.send(w.buyer.tap(`xs:${w.cheapest}`, messageIdOf(w.menu))),
  },
  {
    useCase: 'wallet top-up through a gateway (CryptoBot, Zarinpal)',
    web: 'post /wallet/pay/:rail',
    api: 'post /api/v1/gateway-topups/:rail',
    bot: (w) => w.buyer.send(w.buyer.tap(`gp:cryptobot:${w.cheapest}`, messageIdOf(w.menu))),
  },
  {
    useCase: 'back from a gateway: what became of the payment',
    web: 'get /wallet/pay/:rail/:id/return',
    api: 'get /api/v1/payments/:id',
    bot: null,
    missing: 'bot: the gateway’s webhook credits the wallet and the bot tells the buyer (the notification); the buyer comes back to a page',
  },
  {
    useCase: 'subscriptions with QR and links',
    web: 'get /subscriptions/:id',
    api: 'get /api/v1/subscriptions/:id',
    bot: (w) => w.buyer.press(w.details, 'q:'),
  },
  {
    // The page offers the .conf (the link's `get /s/:token/config/:file`, served to whoever holds the link) and its QR.
    useCase: 'download a WireGuard config',
    web: 'get /subscriptions/:id',
    api: 'get /api/v1/subscriptions/:id',
    bot: (w) => w.buyer.send(w.buyer.tap(`s:${w.wireGuardSubId}`, messageIdOf(w.menu))),
  },
  {
    useCase: 'open the Telegram proxy',
    web: 'get /subscriptions/:id',
    api: 'get /api/v1/subscriptions/:id',
    bot: (w) => w.buyer.send(w.buyer.tap(`s:${w.telegramSubId}`, messageIdOf(w.menu))),
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
    useCase: 'join a campaign through its link',
    web: 'post /campaigns/join',
    api: 'post /api/v1/campaigns/join',
    bot: (w) => w.buyer.send(w.buyer.message('/start campaign_no-such-campaign')),
  },
  {
    useCase: 'my gifts: given, and whether each was claimed',
    web: 'get /gifts',
    api: 'get /api/v1/gifts',
    bot: (w) => w.buyer.press(w.menu, 'gft'),
  },
  {
    useCase: 'buy a plan as a gift',
    web: 'post /gifts',
    api: 'post /api/v1/gifts',
    bot: async (w) => w.buyer.press(await w.buyer.press(w.menu, 'gft'), 'gfb'),
  },
  {
    useCase: 'claim a gift',
    web: 'post /gift/:code',
    api: 'post /api/v1/gifts/claim',
    bot: (w) => w.buyer.send(w.buyer.message('/gift NOSUCHGIFTCODE22')),
  },
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
    bot: async (w) => w.buyer.press(await w.buyer.press(await w.buyer.press(w.menu, 'subs'), 'lr'), 'lry:'),
  },
  {
    useCase: 'my devices',
    web: 'get /subscriptions/:id',
    api: 'get /api/v1/subscriptions/:id/devices',
    bot: (w) => w.buyer.press(w.details, 'dv:'),
  },
  {
    useCase: 'remove a device',
    web: 'post /subscriptions/:id/devices/:deviceId/remove',
    api: 'post /api/v1/subscriptions/:id/devices/:deviceId/remove',
    bot: async (w) => w.buyer.press(await w.buyer.press(w.details, 'dv:'), 'dx:'),
  },
  {
    useCase: 'add devices (a device pack)',
    web: 'post /subscriptions/:id/devices/add',
    api: 'post /api/v1/subscriptions/:id/devices/pack',
    bot: (w) => w.buyer.send(w.buyer.tap(`dpk:${w.packSubId}`, messageIdOf(w.details))),
  },
  {
    useCase: 'reseller pages',
    web: 'get /account/reseller',
    api: 'get /api/v1/reseller',
    bot: null,
    missing: 'bot: a reseller works from the web or with its API token (its clients and price book); the bot is for buyers',
  },
  {
    useCase: 'my support tickets',
    web: 'get /support',
    api: 'get /api/v1/tickets',
    bot: (w) => w.buyer.press(w.menu, 'sup'),
  },
  {
    useCase: 'open a support ticket',
    web: 'post /support',
    api: 'post /api/v1/tickets',
    bot: async (w) => {
      await w.buyer.press(await w.buyer.press(w.menu, 'sup'), 'tkn');
      return w.buyer.send(w.buyer.message('My link does not open on the phone'));
    },
  },
  {
    useCase: 'a support ticket and its thread',
    web: 'get /support/:id',
    api: 'get /api/v1/tickets/:id',
    bot: (w) => w.buyer.send(w.buyer.tap(`tk:${w.ticketId}`, messageIdOf(w.menu))),
  },
  {
    useCase: 'write in a support ticket (reopens a closed one)',
    web: 'post /support/:id/reply',
    api: 'post /api/v1/tickets/:id/messages',
    bot: async (w) => {
      await w.buyer.send(w.buyer.tap(`tkr:${w.ticketId}`, messageIdOf(w.menu)));
      return w.buyer.send(w.buyer.message('Still the same after a restart'));
    },
  },
  {
    useCase: 'close a support ticket',
    web: 'post /support/:id/close',
    api: 'post /api/v1/tickets/:id/close',
    bot: (w) => w.buyer.send(w.buyer.tap(`tkc:${w.ticketId}`, messageIdOf(w.menu))),
  },
];

/** What an admin's bot cell can use: the admin, their menu, a buyer's pending receipts, subscriptions and customer id. */
interface AdminWorld {
  admin: TelegramUser;
  menu: BotCall;
  receipts: [string, string];
  activeSubId: string;
  suspendedSubId: string;
  customerId: string;
  /** Two support tickets of another buyer: one to answer and close, one for the owner to delete. */
  tickets: [string, string];
}

interface AdminRow {
  useCase: string;
  web: string;
  /** The bot cell: the update the admin sends, and the answer that is this action's page (nothing else matches). */
  bot: { send: (w: AdminWorld) => Update; answer: (call: BotCall) => boolean } | null;
  /** Why the bot has no cell. */
  missing?: string;
}

const en = translator('en');
const tapAs = (data: (w: AdminWorld) => string) => (w: AdminWorld) => w.admin.tap(data(w), messageIdOf(w.menu));
const says = (key: string) => (call: BotCall) => textOf(call) === en(key);
const hasButton = (prefix: string) => (call: BotCall) => buttonsOf(call).some((b) => b.callback_data?.startsWith(prefix));

/**
 * Every staff action of the web admin a support or owner uses on a customer, and its bot cell: the same use case
 * (`src/app/customers`, `src/app/subscriptions/admin-actions.ts`, `reviewPayment`), held to the same staff role.
 */
const ADMIN_TABLE: AdminRow[] = [
  {
    useCase: 'reject a receipt with a reason',
    web: 'post /admin/receipts/:id/reject',
    bot: { send: tapAs((w) => `rr:${w.receipts[0]}`), answer: (c) => textOf(c).startsWith('Why is the receipt of') },
  },
  {
    useCase: 'approve a receipt',
    web: 'post /admin/receipts/:id/approve',
    bot: { send: tapAs((w) => `ra:${w.receipts[1]}`), answer: says('telegram.receipts.approved') },
  },
  {
    useCase: 'find a customer',
    web: 'get /admin/customers',
    bot: { send: (w) => w.admin.message('/find 6601'), answer: hasButton('al:') },
  },
  {
    useCase: 'a customer with wallet and subscriptions',
    web: 'get /admin/customers/:id',
    bot: { send: tapAs((w) => `ac:${w.customerId}`), answer: hasButton('al:') },
  },
  {
    useCase: 'a subscription and its actions',
    web: 'get /admin/subscriptions/:id',
    bot: { send: tapAs((w) => `as:${w.activeSubId}`), answer: hasButton('ak:suspend:') },
  },
  {
    useCase: 'suspend (with a reason)',
    web: 'post /admin/subscriptions/:id/suspend',
    bot: { send: tapAs((w) => `ak:suspend:${w.activeSubId}`), answer: hasButton('ad:suspend:') },
  },
  {
    useCase: 'resume',
    web: 'post /admin/subscriptions/:id/resume',
    bot: { send: tapAs((w) => `ad:resume:${w.suspendedSubId}`), answer: says('adminOps.notices.subscription_resume') },
  },
  {
    useCase: 'terminate',
    web: 'post /admin/subscriptions/:id/terminate',
    bot: { send: tapAs((w) => `ak:terminate:${w.activeSubId}`), answer: says('adminOps.subscriptions.terminateConfirm') },
  },
  {
    useCase: 'retry failed provisioning',
    web: 'post /admin/subscriptions/:id/retry',
    bot: { send: tapAs((w) => `ak:retry:${w.activeSubId}`), answer: says('adminOps.subscriptions.retryConfirm') },
  },
  {
    // The button is offered only on a pending subscription whose plan waits for an admin; tapped on an active one
    // here, the engine's refusal comes back through the same use case.
    useCase: 'approve provisioning',
    web: 'post /admin/subscriptions/:id/approve',
    bot: { send: tapAs((w) => `ad:approve:${w.activeSubId}`), answer: says('errors.conflict') },
  },
  {
    useCase: 'new subscription link',
    web: 'post /admin/customers/:id/subscription-link/rotate',
    bot: { send: tapAs((w) => `al:${w.customerId}`), answer: says('telegram.admin.customer.newLinkConfirm') },
  },
  {
    useCase: 'receipts queue',
    web: 'get /admin/receipts',
    bot: { send: tapAs(() => 'rq'), answer: (c) => c.method === 'sendPhoto' || says('telegram.receipts.none')(c) },
  },
  {
    useCase: 'devices of a buyer',
    web: 'get /admin/customers/:id',
    bot: { send: tapAs((w) => `adv:${w.customerId}`), answer: hasButton('adr:') },
  },
  {
    useCase: 'reset devices (with a reason)',
    web: 'post /admin/customers/:id/devices/reset',
    bot: { send: tapAs((w) => `adr:${w.activeSubId}`), answer: (c) => textOf(c).startsWith('Why reset the devices of') },
  },
  {
    useCase: 'support tickets and their waits',
    web: 'get /admin/tickets',
    bot: { send: tapAs(() => 'tsq'), answer: (c) => textOf(c).startsWith(en('support.admin.title')) },
  },
  {
    useCase: 'a support ticket with its thread',
    web: 'get /admin/tickets/:id',
    bot: { send: tapAs((w) => `tsv:${w.tickets[0]}`), answer: hasButton('tsa:') },
  },
  {
    useCase: 'answer a support ticket',
    web: 'post /admin/tickets/:id/answer',
    bot: { send: tapAs((w) => `tsa:${w.tickets[0]}`), answer: says('support.admin.askAnswer') },
  },
  {
    useCase: 'close a support ticket with a reason',
    web: 'post /admin/tickets/:id/close',
    bot: { send: tapAs((w) => `tsc:${w.tickets[0]}`), answer: says('support.admin.askClose') },
  },
  {
    useCase: 'delete a support ticket (owner)',
    web: 'post /admin/tickets/:id/delete',
    bot: { send: tapAs((w) => `tsd:${w.tickets[1]}`), answer: says('support.notices.deleted') },
  },
  {
    useCase: 'correct a wallet',
    web: 'post /admin/customers/:id/adjust',
    bot: null,
    missing:
      'bot: a correction is a form with a note and a one-time nonce under support money caps; the bot shows the wallet, corrections stay on the web',
  },
  {
    useCase: 'refund an order',
    web: 'post /admin/orders/:id/refund',
    bot: null,
    missing: 'bot: the owner refunds item by item with a reason the buyer reads, from the order page on the web',
  },
  {
    useCase: 'password reset link',
    web: 'post /admin/customers/:id/password-reset',
    bot: null,
    missing: 'bot: a reset link is for a web account, handed over by the web page that shows it once',
  },
];

let s: BotShop;
let world: BotWorld;
let adminWorld: AdminWorld;
let cryptoBot: CryptoBotSimulator;
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
  // A phone on the subscription's link, for the device rows.
  await shop.kit.devices.touch(subscriptions[0]!.id, { hwid: 'table-phone', platform: 'android', model: 'Pixel 8', app: 'Happ' });
  const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
  const trialPlan = (await shop.storage.plans.list({ onSale: true })).find((p) => p.trial !== null && p.id !== plan.id) ?? plan;
  const cheapest = Math.min(...(await shop.storage.plans.list({ onSale: true })).map((p) => p.price.amount));
  const packPlan = await planNamed(s.t, 'Frankfurt · 1 month · unlimited');
  const packed = await shop.kit.checkout({ customerId, items: [{ planId: packPlan.id }], idempotencyKey: 'table-buy-pack' });
  await s.t.drain();
  const [wireGuardPart, telegramPart] = await partsFor(shop, customerId, ['wireguard', 'mtproto']);
  world = {
    buyer,
    customerId,
    planId: plan.id,
    menu,
    details,
    subId: subscriptions[0]!.id,
    otherPlanId: other.id,
    trialPlanId: trialPlan.id,
    cheapest,
    ticketId: (await openTicket(shop, customerId, { subject: 'Slow at night', text: 'The VPN is slow every evening' })).id,
    packSubId: packed.subscriptions[0]!.id,
    wireGuardSubId: wireGuardPart!.id,
    telegramSubId: telegramPart!.id,
  };
  // Telegram Stars and CryptoBot on, so their cells have something to sell.
  cryptoBot = await new CryptoBotSimulator().start();
  await saveStarsSettings(shop, { enabled: true, starsPerUnit: '50' }, clock.now(), null);
  await saveCryptoBotSettings(shop, { enabled: true, baseUrl: cryptoBot.url, token: cryptoBot.token }, clock.now(), null);

  const admin = new TelegramUser(s.fake, clock, ADMIN_TELEGRAM_ID);
  const adminMenu = await admin.send(admin.message('/start'));
  for (const reference of ['QW66010001', 'QW66010002']) await buyer.send(buyer.photo(`3 ${reference} 1111`));
  const pending = (await paymentsOf(shop).listByCustomer(customerId, { limit: 10 })).items.filter((p) => p.status === 'pending');
  const second = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'table-buy-2' });
  await s.t.drain();
  const suspendedSubId = second.subscriptions[0]!.id;
  await shop.kit.suspend({ subscriptionId: suspendedSubId, actor: { type: 'admin', id: 'table' } });
  const asker = new TelegramUser(s.fake, clock, 6602);
  await asker.send(asker.message('/start'));
  const askerId = (await shop.storage.customers.getByExternalRef(`telegram:${asker.id}`))!.id;
  const askedFirst = await openTicket(shop, askerId, { text: 'How do I add a second phone?' });
  const askedSecond = await openTicket(shop, askerId, { text: 'spam spam spam' });
  adminWorld = {
    tickets: [askedFirst.id, askedSecond.id],
    admin,
    menu: adminMenu,
    receipts: [pending[0]!.id, pending[1]!.id],
    activeSubId: subscriptions[0]!.id,
    suspendedSubId,
    customerId,
  };
});
afterAll(async () => {
  await s.close();
  await cryptoBot.close();
});

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
      // A cell whose tap gets more than one message (a WireGuard config and its note, say) has them all sent before
      // the next cell pushes its update: else, on a busy machine, the next cell would take this one's late message.
      await s.fake.polledAgain();
      expect(answer.ok).toBe(true);
      const text = textOf(answer);
      expect(text === '' && buttonsOf(answer).length === 0 && answer.method !== 'sendPhoto').toBe(false);
      expect(text).not.toBe(fallback);
      expect(text).not.toBe(translator('en')('telegram.notYours'));
    },
  );
});

describe('every buyer action in the Telegram Mini App (the web cells, with a session Telegram signed in)', () => {
  /** The web cell's route with this world's ids in it. */
  /** A CryptoBot top-up of the bot's buyer: the payment the way back from the gateway names. */
  let gatewayPaymentId: string;
  const pathOf = (route: string) =>
    route.startsWith('/wallet/pay/:rail/:id')
      ? route.replace(':rail', 'cryptobot').replace(':id', gatewayPaymentId)
      : route.startsWith('/support/')
        ? route.replace(':id', world.ticketId)
        : route.replace(':planId', world.planId).replace(':provider', 'test').replace(':rail', 'cryptobot').replace(':id', world.subId);
  let cookie: string;
  let csrf: string;
  beforeAll(async () => {
    const started = await startGatewayTopUp(s.t.shop, {
      rail: 'cryptobot',
      customerId: world.customerId,
      amount: world.cheapest,
      requestKey: 'mini-app-table-gateway',
      base: 'https://shop.example.com',
      from: 'web',
    });
    if (!started.ok) throw new Error(`no CryptoBot top-up for the table: ${started.reason}`);
    gatewayPaymentId = started.payment.id;
    const signedIn = await supertest(s.t.app)
      .post('/tg/app/session')
      .set('origin', 'https://shop.example.com')
      .send({ initData: launchData(s.fake.token, { id: world.buyer.id }, s.t.clock.now()) })
      .expect(200);
    cookie = String(signedIn.headers['set-cookie']?.[0]).split(';')[0] as string;
    const dashboard = await supertest(s.t.app).get('/dashboard').set('cookie', cookie).expect(200);
    csrf = csrfFrom(dashboard.text);
  });

  it('signs the bot’s buyer in as the bot’s customer', async () => {
    const token = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
    const account = await s.t.shop.accounts.get((await s.t.shop.sessions.accountFor(token)) as string);
    expect(account?.customerId).toBe(world.customerId);
  });

  it.each(TABLE.filter((r) => r.web !== null).map((r) => [r.useCase, r.web!]))('Mini App: %s (%s)', async (_useCase, route) => {
    const [method, pattern] = route.split(' ') as ['get' | 'post', string];
    const path = pathOf(pattern);
    if (method === 'get') {
      expect((await supertest(s.t.app).get(path)).headers['location']).toMatch(/^\/signin/);
      // The bot's buyer is no reseller: the reseller page answers them as it answers any web buyer who is none.
      const page = await supertest(s.t.app).get(path).set('cookie', cookie);
      if (route === 'get /account/reseller') expect(page.status).toBe(404);
      // A page, or (the way back from a gateway) a redirect to the wallet with what became of the payment.
      else
        expect({ status: page.status, to: page.headers['location'] ?? null }).toMatchObject(
          page.status === 303 ? { status: 303, to: expect.stringMatching(/^\/wallet/) } : { status: 200 },
        );
      return;
    }
    // Without the session the route refuses; with it (and its CSRF token) the request gets past sign-in and CSRF to
    // the use case, which answers (a redirect to its page, or its own refusal of the empty form), never "sign in".
    const anonymous = await supertest(s.t.app).post(path).type('form').send({});
    expect([401, 403]).toContain(anonymous.status);
    const answer = await supertest(s.t.app).post(path).set('cookie', cookie).type('form').send({ _csrf: csrf });
    expect([401, 403]).not.toContain(answer.status);
    expect(answer.status).toBeLessThan(500);
    expect(String(answer.headers['location'] ?? '')).not.toMatch(/^\/signin/);
  });
});

describe('every staff action on a customer in the web admin and the bot', () => {
  it('has a written reason wherever the bot has no cell', () => {
    for (const row of ADMIN_TABLE.filter((r) => r.bot === null)) expect(row.missing, `${row.useCase} has no bot cell`).toMatch(/^bot:/);
  });

  it.each(ADMIN_TABLE.map((r) => [r.useCase, r.web]))('web: %s is served (%s)', (_useCase, route) => {
    expect(routesOf(s.t.app)).toContain(route);
  });

  it.each(ADMIN_TABLE.filter((r) => r.bot !== null).map((r) => [r.useCase, r.bot!] as const))(
    'bot: %s answers with its page',
    async (_useCase, cell) => {
      const answer = await adminWorld.admin.send(cell.send(adminWorld), cell.answer);
      expect(answer.ok).toBe(true);
      expect([en('telegram.menu.hint'), en('telegram.notYours'), en('telegram.error')]).not.toContain(textOf(answer));
    },
  );
});
