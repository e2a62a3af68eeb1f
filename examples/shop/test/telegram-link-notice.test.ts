/**
 * The owner's message to client apps from the bot's admin menu: the banner per language and the support address,
 * saved through the web page's use case (same checks, same audit entry under the admin's actor), a bad answer
 * refused changing nothing, and a support admin held to the web page's role (the owner's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLinkNotice, saveLinkNotice } from '../src/app/subscriptions/link-notice.js';
import { translator } from '../src/i18n/translate.js';
import { signedInAdmin } from './support/shop-under-test.js';
import { ADMIN_TELEGRAM_ID, type BotShop, startBotShop, TelegramUser, textOf } from './support/telegram-driver.js';

const en = translator('en');
const SUPPORT_ADMIN = 9013;

describe('the link banner and support address from the bot', () => {
  let s: BotShop;
  let admin: TelegramUser;
  beforeAll(async () => {
    s = await startBotShop({ env: { TELEGRAM_ADMIN_IDS: [ADMIN_TELEGRAM_ID, SUPPORT_ADMIN].join(',') } });
    admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
  });
  afterAll(() => s.close());

  type Call = Parameters<typeof textOf>[0];
  /** The notice as the bot shows it (after a save, the message that follows "saved"). */
  const shownNotice = (c: Call) => textOf(c).startsWith(en('linkPage.admin.title'));
  const asked = (c: Call) => textOf(c).startsWith('Send the');
  const refusal = (c: Call) => textOf(c) === en('linkNoticeBot.invalid');

  it('sets a banner per language and the support address, audited under the admin, and clears one with "-"', async () => {
    const menu = await admin.send(admin.message('/start'));
    const shown = await admin.press(menu, 'aln');
    expect(textOf(shown)).toContain(en('linkPage.admin.title'));
    expect(textOf(shown)).toContain(`${en('linkPage.admin.banner', { language: 'English' })}: —`);

    const askedFa = await admin.press(shown, 'alnb:fa');
    expect(textOf(askedFa)).toBe(en('linkNoticeBot.askBanner', { language: 'فارسی' }));
    await admin.send(admin.message('تخفیف ۲۰٪ تا جمعه'), shownNotice);
    await admin.send(admin.tap('alnb:en', 1), asked);
    await admin.send(admin.message('20% off until Friday'), shownNotice);
    await admin.send(admin.tap('alns', 1), asked);
    const after = await admin.send(admin.message('https://t.me/demo_support'), shownNotice);
    expect(textOf(after)).toContain(`${en('linkPage.admin.banner', { language: 'English' })}: 20% off until Friday`);

    expect(await readLinkNotice(s.t.shop)).toMatchObject({
      banner: { en: '20% off until Friday', fa: 'تخفیف ۲۰٪ تا جمعه' },
      supportUrl: 'https://t.me/demo_support',
    });
    const audit = await s.t.shop.storage.audit.list({ subjectType: 'shop', subjectId: 'settings' }, { limit: 20 });
    const entries = audit.items.filter((e) => e.action === 'settings.saved' && e.data['linkNotice'] === true);
    expect(entries).toHaveLength(3);
    expect(entries.every((e) => e.actor.type === 'admin' && e.actor.id === `telegram:${ADMIN_TELEGRAM_ID}`)).toBe(true);

    // The web page shows what the bot saved: one setting, two channels.
    const web = await signedInAdmin(s.t.app);
    const page = await web.agent.get('/admin/settings/link').expect(200);
    expect(page.text).toContain('value="20% off until Friday"');

    await admin.send(admin.tap('alnb:en', 1), asked);
    await admin.send(admin.message('-'), shownNotice);
    expect((await readLinkNotice(s.t.shop)).banner).toMatchObject({ en: '', fa: 'تخفیف ۲۰٪ تا جمعه' });
  });

  it('refuses a bad support address or a banner too long, changing nothing', async () => {
    await saveLinkNotice(
      s.t.shop,
      { banner: { en: 'Hello', fa: 'سلام', ru: 'Привет', zh: '你好' }, supportUrl: 'https://t.me/help' },
      { type: 'system', id: 'test' },
    );
    const before = await s.t.shop.storage.audit.list({ subjectType: 'shop', subjectId: 'settings' }, { limit: 50 });

    await admin.send(admin.tap('alns', 1), asked);
    await admin.send(admin.message('javascript:alert(1)'), refusal);
    await admin.send(admin.tap('alnb:en', 1), asked);
    await admin.send(admin.message('x'.repeat(201)), refusal);

    expect(await readLinkNotice(s.t.shop)).toMatchObject({ banner: { en: 'Hello', fa: 'سلام' }, supportUrl: 'https://t.me/help' });
    const afterwards = await s.t.shop.storage.audit.list({ subjectType: 'shop', subjectId: 'settings' }, { limit: 50 });
    expect(afterwards.items).toHaveLength(before.items.length);
  });

  it('is the owner’s: a support admin is refused, as on the web', async () => {
    const { shop } = s.t;
    const supportUser = new TelegramUser(s.fake, s.t.clock, SUPPORT_ADMIN);
    await supportUser.send(supportUser.message('/start'));
    const staffCustomer = await shop.kit.customers.create({ email: 'support-link@example.com' });
    await shop.accounts.create({
      email: 'support-link@example.com',
      passwordHash: 'not-used-here',
      customerId: staffCustomer.id,
      role: 'support',
    });
    await s.shopBot.links.relink({ telegramUserId: String(SUPPORT_ADMIN), chatId: String(SUPPORT_ADMIN), customerId: staffCustomer.id });
    const before = await readLinkNotice(shop);
    expect(textOf(await supportUser.send(supportUser.tap('aln', 1)))).toBe(en('telegram.admin.forbidden'));
    expect(textOf(await supportUser.send(supportUser.tap('alns', 1)))).toBe(en('telegram.admin.forbidden'));
    expect(await readLinkNotice(shop)).toEqual(before);
  });
});
