import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROWTH_SETTING, GROWTH_SETTINGS_TTL_MS } from '../src/app/growth/growth-settings.js';
import { saveStarsSettings } from '../src/app/payments/stars/settings.js';
import { writeSetting } from '../src/db/shop-settings.js';
import { translator } from '../src/i18n/translate.js';
import { adminGet, postForm } from './support/admin-support.js';
import { signedInAdmin } from './support/shop-under-test.js';
import { buttonsOf } from './support/fake-telegram.js';
import { ADMIN_TELEGRAM_ID, dataOf, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const CHANNEL = '@panelkit_news';
const t = translator('en');
const prompt = t('growth.channel.prompt', { channel: CHANNEL });
const menuTitle = (shopName: string) => t('telegram.menu.title', { shop: shopName });

describe('the required channel in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  async function saveChannel(values: Record<string, string>): Promise<number> {
    const admin = await signedInAdmin(s.t.app);
    const page = await adminGet(admin, '/admin/settings/growth');
    const res = await postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/settings/growth', {
      channel: '',
      channelJoinUrl: '',
      neverConnectedHours: '24',
      ...values,
    });
    return res.status;
  }

  const staffNotices = async () =>
    (
      await s.t.shop.db.query<{ params: { channel: string } }>(
        `SELECT params FROM ${s.t.shop.shopSchema}.notifications WHERE kind = 'channel_unchecked'`,
      )
    ).rows;

  it('refuses a channel that is neither @name nor -100… id, and a private channel without an invite link, changing nothing', async () => {
    expect(await saveChannel({ channel: 'news' })).toBe(400);
    expect(await saveChannel({ channel: '-1001234567890' })).toBe(400);
    expect(await saveChannel({ channel: CHANNEL, neverConnectedHours: 'soon' })).toBe(400);
    const buyer = new TelegramUser(s.fake, s.t.clock, 8101, 'en');
    expect(textOf(await buyer.send(buyer.message('/start')))).toContain(menuTitle(s.t.shop.config.shopName));
  });

  it('asks a non-member to join, asks again on "done" while still out, and lets a member in', async () => {
    expect(await saveChannel({ channel: CHANNEL })).toBe(303);
    s.fake.setChannelMember(CHANNEL, 1, 'creator');
    const buyer = new TelegramUser(s.fake, s.t.clock, 8201, 'en');
    const asked = await buyer.send(buyer.message('/start'));
    expect(textOf(asked)).toBe(prompt);
    expect(buttonsOf(asked).find((b) => b.url !== undefined)?.url).toBe('https://t.me/panelkit_news');
    // Any other action is asked the same, and does nothing.
    expect(textOf(await buyer.send(buyer.tap('cat', messageIdOf(asked))))).toBe(prompt);
    s.fake.setChannelMember(CHANNEL, buyer.id, 'left');
    const since = s.fake.calls.length;
    const again = await buyer.press(asked, 'chk');
    expect(textOf(again)).toBe(prompt);
    expect(s.fake.callsSince(since, 'answerCallbackQuery')[0]?.params).toMatchObject({ text: t('growth.channel.stillOutside') });
    // Kicked is out; restricted but still in the chat is in.
    s.fake.setChannelMember(CHANNEL, buyer.id, 'kicked');
    expect(textOf(await buyer.press(again, 'chk'))).toBe(prompt);
    s.fake.setChannelMember(CHANNEL, buyer.id, 'restricted', true);
    const inside = await buyer.press(again, 'chk');
    expect(textOf(inside)).toContain(t('growth.channel.thanks'));
    expect(buttonsOf(inside).some((b) => b.callback_data === 'cat')).toBe(true);
    // A member goes straight to what they asked for.
    const catalog = await buyer.send(buyer.tap('cat', messageIdOf(inside)));
    expect(textOf(catalog)).not.toBe(prompt);
    // One who left is asked again once the brief cache ran out.
    s.fake.setChannelMember(CHANNEL, buyer.id, 'left');
    s.t.clock.advance(61_000);
    expect(textOf(await buyer.send(buyer.message('/menu')))).toBe(prompt);
  });

  it('keeps a /start deep link through the join and resumes it', async () => {
    const referrer = await s.t.shop.storage.customers.create({ email: `channel-referrer-${Date.now()}@example.com` });
    await s.t.shop.kit.setReferralProgram({ enabled: true, reward: { type: 'fixed', amount: { amount: 100, currency: 'USD' } } });
    const friend = new TelegramUser(s.fake, s.t.clock, 8301, 'en');
    const asked = await friend.send(friend.message(`/start ref_${referrer.id}`));
    expect(textOf(asked)).toBe(prompt);
    expect(dataOf(asked, 'chk')).toBe(`chk:ref_${referrer.id}`);
    const customer = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${friend.id}`))!;
    expect(await s.t.shop.storage.referrals.get(customer.id)).toBeNull();
    s.fake.setChannelMember(CHANNEL, friend.id, 'member');
    const resumed = await friend.press(asked, 'chk');
    expect(textOf(resumed)).toContain(t('telegram.start.welcome', { shop: s.t.shop.config.shopName }));
    expect(await s.t.shop.storage.referrals.get(customer.id)).toMatchObject({ referrerId: referrer.id });
  });

  it('lets staff through, and answers and credits a payment from a buyer who left the channel mid-payment', async () => {
    const admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID, 'en');
    expect(textOf(await admin.send(admin.message('/start')))).toContain(menuTitle(s.t.shop.config.shopName));

    const { shop, clock } = s.t;
    await saveStarsSettings(shop, { enabled: true, starsPerUnit: '50' }, clock.now(), null);
    const buyer = new TelegramUser(s.fake, clock, 8401, 'en');
    s.fake.setChannelMember(CHANNEL, buyer.id, 'member');
    const menu = await buyer.send(buyer.message('/start'));
    const offer = await buyer.press(menu, 'tu');
    const amount = Number(dataOf(offer, 'xs:').slice(3));
    const since = s.fake.calls.length;
    s.fake.push(buyer.tap(`xs:${amount}`, messageIdOf(offer)));
    const invoice = await s.fake.waitFor(since, (c) => c.method === 'sendInvoice', 'invoice');
    const payload = String(invoice.params['payload']);
    s.fake.setChannelMember(CHANNEL, buyer.id, 'left');
    clock.advance(61_000);

    const stars = s.fake.invoices.get(payload)!.totalAmount;
    let at = s.fake.calls.length;
    s.fake.push(buyer.preCheckout(payload, stars));
    const answer = await s.fake.waitFor(at, (c) => c.method === 'answerPreCheckoutQuery', 'pre-checkout answer');
    expect(answer.params).toMatchObject({ ok: true });
    at = s.fake.calls.length;
    const charge = s.fake.charge(buyer.id, payload);
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    s.fake.push(buyer.successfulPayment(charge, payload));
    for (let i = 0; i < 100 && (await shop.storage.ledger.balance(customerId, 'USD')) === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(amount);
    // The payment message itself asked nothing of the buyer.
    expect(s.fake.callsSince(at, 'sendMessage').filter((c) => textOf(c) === prompt)).toHaveLength(0);
  });

  it('lets buyers through when the bot cannot check the channel, and tells the staff once', async () => {
    expect(await saveChannel({ channel: '@not_our_channel' })).toBe(303);
    const first = new TelegramUser(s.fake, s.t.clock, 8501, 'en');
    const second = new TelegramUser(s.fake, s.t.clock, 8502, 'en');
    expect(textOf(await first.send(first.message('/start')))).toContain(menuTitle(s.t.shop.config.shopName));
    expect(textOf(await second.send(second.message('/start')))).toContain(menuTitle(s.t.shop.config.shopName));
    expect(textOf(await first.send(first.message('/menu')))).toContain(menuTitle(s.t.shop.config.shopName));
    expect((await staffNotices()).map((n) => n.params.channel)).toEqual(['@not_our_channel']);
  });

  it('asks nothing once the owner clears the channel', async () => {
    expect(await saveChannel({ channel: '' })).toBe(303);
    const buyer = new TelegramUser(s.fake, s.t.clock, 8601, 'en');
    expect(textOf(await buyer.send(buyer.message('/start')))).toContain(menuTitle(s.t.shop.config.shopName));
  });

  it('reads the settings once per GROWTH_SETTINGS_TTL_MS: a channel another replica saves walls buyers off within it', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 8701, 'en');
    expect(textOf(await buyer.send(buyer.message('/start')))).toContain(menuTitle(s.t.shop.config.shopName));
    // Another replica saves (the row changes, this process is not told): the gate goes by what it read until the TTL passes.
    const settings = { channel: CHANNEL, channelJoinUrl: null, neverConnectedHours: 24 };
    await writeSetting(s.t.shop, GROWTH_SETTING, settings, null, s.t.clock.now(), 'acc_other_replica');
    s.t.clock.advance(GROWTH_SETTINGS_TTL_MS - 1);
    expect(textOf(await buyer.send(buyer.message('/menu')))).toContain(menuTitle(s.t.shop.config.shopName));
    s.t.clock.advance(1);
    expect(textOf(await buyer.send(buyer.message('/menu')))).toBe(prompt);
    // Cleared here: the next update goes by it at once.
    expect(await saveChannel({ channel: '' })).toBe(303);
    expect(textOf(await buyer.send(buyer.message('/menu')))).toContain(menuTitle(s.t.shop.config.shopName));
  });
});
