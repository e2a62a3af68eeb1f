import { describe, expect, it } from 'vitest';
import { CUSTOMER_KINDS, STAFF_KINDS } from '../src/db/notification-kinds.js';
import { renderNotification } from '../src/app/notifications/render.js';

const PARAMS = {
  subscriptionId: 'sub_1',
  plan: 'Frankfurt · 1 month',
  link: 'https://sub.example.com/s/abc',
  expiresAt: '2026-03-31T09:00:00.000Z',
  leadMs: 72 * 3_600_000,
  percent: 80,
  amount: 125_000,
  currency: 'IRR',
  note: 'blurry photo',
  reason: 'provisioning_failed',
  panel: 'Frankfurt',
  target: 'vless-reality',
  allocated: 18,
  capacity: 20,
  paymentId: 'pay_1',
  error: 'PANEL_UNAVAILABLE',
  provider: 'crypto',
  customerId: 'cus_1',
  taken: 100_000,
  shortfall: 25_000,
  buyer: 'Ali Rezaei · ali@example.com',
  address: 'https://mirror.example.net',
  gateway: 'EPay',
  said: '商户密钥错误',
  storefrontRefusal: 'reseller_credit',
};

describe('notification texts', () => {
  it('every kind reads in English and in Farsi with nothing left unfilled', () => {
    for (const kind of [...CUSTOMER_KINDS, ...STAFF_KINDS]) {
      for (const locale of ['en', 'fa'] as const) {
        const message = renderNotification(kind, PARAMS, { locale, timeZone: 'Asia/Tehran', shopName: 'Shop' });
        expect(message.subject, `${kind} ${locale}`).not.toMatch(/\{\w+\}|notifications\./);
        expect(message.text, `${kind} ${locale}`).not.toMatch(/\{\w+\}|notifications\./);
        expect(message.text.endsWith('— Shop')).toBe(true);
      }
    }
  });

  it('writes Farsi with the Jalali calendar and Persian digits, English with the Gregorian one', () => {
    const options = { timeZone: 'Asia/Tehran', shopName: 'Shop' };
    const en = renderNotification('subscription_renewed', PARAMS, { ...options, locale: 'en' });
    const fa = renderNotification('subscription_renewed', PARAMS, { ...options, locale: 'fa' });
    expect(en.text).toContain('31 Mar 2026');
    // 31 March 2026 in Tehran is 11 Farvardin 1405.
    expect(fa.text).toContain('۱۴۰۵');
    expect(fa.text).toContain('۱۱');
    expect(fa.text).not.toMatch(/2026|31/);
    const traffic = renderNotification('traffic_warning', PARAMS, { ...options, locale: 'fa' });
    expect(traffic.subject).toContain('۸۰٪');
    const refund = renderNotification('refund', PARAMS, { ...options, locale: 'fa' });
    expect(refund.text).toContain('اشتراک شما ساخته نشد');
    expect(refund.subject).toMatch(/۱۲۵٬۰۰۰/);
  });

  it('adds the review note only when there is one', () => {
    const options = { locale: 'en' as const, timeZone: 'UTC', shopName: 'Shop' };
    expect(renderNotification('receipt_rejected', PARAMS, options).text).toContain('Note: blurry photo');
    expect(renderNotification('receipt_rejected', { ...PARAMS, note: null }, options).text).not.toContain('Note:');
  });
});
