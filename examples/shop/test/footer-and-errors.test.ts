import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const ROOMY = { limit: 1000, windowMs: 60_000 };
const FOOTER_ENV = {
  SUPPORT_CONTACT: '@shop_help',
  TERMS_URL: 'https://shop.example.com/terms',
  REFUND_POLICY_URL: 'https://shop.example.com/refunds',
};

describe('the footer', () => {
  let t: ShopUnderTest;
  let bare: ShopUnderTest;
  beforeAll(async () => {
    [t, bare] = await Promise.all([
      startShop({ env: FOOTER_ENV, app: { rateLimits: { signIn: ROOMY, signUp: ROOMY, checkout: ROOMY } } }),
      startShop(),
    ]);
  });
  afterAll(async () => {
    await t.close();
    await bare.close();
  });

  it('shows the configured support contact, terms and refund policy on every page, in both languages', async () => {
    const home = await supertest(t.app).get('/').expect(200);
    expect(home.text).toContain('<a href="https://t.me/shop_help" dir="ltr" data-testid="footer-support" rel="noopener">@shop_help</a>');
    expect(home.text).toContain('<a href="https://shop.example.com/terms" data-testid="footer-terms" rel="noopener">Terms of service</a>');
    expect(home.text).toContain('<a href="https://shop.example.com/refunds" data-testid="footer-refunds" rel="noopener">Refund policy</a>');
    const buyer = await signedUpBuyer(t.app);
    await buyer.agent.get('/lang/fa').expect(303);
    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain('>شرایط استفاده</a>');
    expect(wallet.text).toContain('>سیاست بازپرداخت</a>');
    const missing = await supertest(t.app).get('/no-such-page').expect(404);
    expect(missing.text).toContain('data-testid="footer"');
  });

  it('is left out when nothing is configured, and a bad contact is refused at start', async () => {
    expect((await supertest(bare.app).get('/').expect(200)).text).not.toContain('data-testid="footer"');
    expect(() => loadConfig({ SUPPORT_CONTACT: 'call us' })).toThrow(ConfigError);
    expect(() => loadConfig({ TERMS_URL: 'javascript:alert(1)' })).toThrow(ConfigError);
    expect(loadConfig({ SUPPORT_CONTACT: 'help@shop.example.com' }).footer.supportContact).toBe('help@shop.example.com');
  });

  it('error pages say what to do next and link home (and to the buyer’s pages when signed in)', async () => {
    const anonymous = await supertest(t.app).get('/no-such-page').expect(404);
    expect(anonymous.text).toContain(
      'data-testid="error-next">Check the address, or start again from the home page or your subscriptions.',
    );
    expect(anonymous.text).toContain('href="/" data-testid="error-home"');
    expect(anonymous.text).toContain('href="/signin"');
    const buyer = await signedUpBuyer(t.app);
    const signedIn = await buyer.agent.get('/admin').expect(403);
    expect(signedIn.text).toContain('This page is not for this account.');
    expect(signedIn.text).toContain('<a class="button small secondary" href="/dashboard">My subscriptions</a>');
    await buyer.agent.get('/lang/fa').expect(303);
    const farsi = await buyer.agent.get('/subscriptions/sub_nothing').expect(404);
    expect(farsi.text).toContain('صفحهٔ اصلی');
    expect(farsi.text).toContain('کد خطا ۴۰۴');
  });
});
