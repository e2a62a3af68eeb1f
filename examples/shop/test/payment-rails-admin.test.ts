import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeCryptoBot } from '../src/app/payments/cryptobot/settings.js';
import { activeStarsRate } from '../src/app/payments/stars/settings.js';
import { adminGet, postForm } from './support/admin-support.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const BLANK = {
  starsRate: '',
  cryptobotBaseUrl: '',
  cryptobotToken: '',
  zarinpalBaseUrl: '',
  zarinpalMerchantId: '',
};

describe("the owner's payment gateway settings", () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(async () => {
    await t.close();
  });

  it('turns Stars (with its rate) and CryptoBot (with its token, sealed at rest) on; bad fields change nothing; support staff may not', async () => {
    const owner = await signedInAdmin(t.app);
    const page = await adminGet(owner, '/admin/settings/payments');
    expect(page.html).toContain('data-testid="payment-rails-form"');
    expect(page.html).toContain('/payments/cryptobot/webhook');

    // A bad rate, CryptoBot without its token, Zarinpal in a shop that is not in rials: refused, nothing saved.
    await postForm(owner, '/admin/settings/payments', { ...BLANK, starsEnabled: 'on', starsRate: '-3' }).expect(400);
    await postForm(owner, '/admin/settings/payments', { ...BLANK, starsRate: '1.23456' }).expect(400);
    await postForm(owner, '/admin/settings/payments', {
      ...BLANK,
      cryptobotEnabled: 'on',
      cryptobotBaseUrl: 'https://pay.crypt.bot/',
    }).expect(400);
    const rials = await postForm(owner, '/admin/settings/payments', {
      ...BLANK,
      zarinpalEnabled: 'on',
      zarinpalBaseUrl: 'https://payment.zarinpal.com/',
      zarinpalMerchantId: 'merchant-0001',
    }).expect(400);
    expect(rials.text).toContain('does not take the shop');
    expect(await activeStarsRate(t.shop)).toBeNull();
    expect(await activeCryptoBot(t.shop)).toBeNull();

    const token = '12345:AAsecret-crypto-pay-token-0123456789';
    await postForm(owner, '/admin/settings/payments', {
      ...BLANK,
      starsEnabled: 'on',
      starsRate: '50',
      cryptobotEnabled: 'on',
      cryptobotBaseUrl: 'https://pay.crypt.bot/',
      cryptobotToken: token,
    })
      .expect(303)
      .expect('location', '/admin/settings/payments?done=payRails.settings_saved');
    expect(await activeStarsRate(t.shop)).toBe('50');
    expect(await activeCryptoBot(t.shop)).toEqual({ baseUrl: 'https://pay.crypt.bot/', token });
    const { rows } = await t.shop.db.query<{ value: unknown; sealed: string | null }>(
      `SELECT value, sealed FROM ${t.shop.shopSchema}.shop_settings WHERE name = 'payments.cryptobot'`,
    );
    expect(JSON.stringify(rows[0])).not.toContain('AAsecret');
    expect(rows[0]!.sealed).not.toBeNull();
    const shown = await adminGet(owner, '/admin/settings/payments');
    expect(shown.html).not.toContain('AAsecret');

    // Saved again with the token left empty: the stored one is kept; CryptoBot off.
    await postForm(owner, '/admin/settings/payments', {
      ...BLANK,
      starsEnabled: 'on',
      starsRate: '0.5',
      cryptobotBaseUrl: 'https://testnet-pay.crypt.bot/',
    }).expect(303);
    expect(await activeCryptoBot(t.shop)).toBeNull();
    expect(await activeStarsRate(t.shop)).toBe('0.5');
    const audit = await t.shop.storage.audit.list({ subjectType: 'shop', subjectId: 'settings' }, { limit: 10 });
    expect(JSON.stringify(audit.items)).not.toContain('AAsecret');

    const support = await signedUpBuyer(t.app);
    await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(support.email))!.id, 'support');
    await support.agent.get('/admin/settings/payments').expect(403);
  });
});
