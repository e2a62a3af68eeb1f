import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { jalaliOf, jalaliToGregorian } from '../src/i18n/jalali.js';
import { jalaliField, parsePaidAt } from '../src/app/payments/paid-at.js';
import { signedUpBuyer, type ShopUnderTest } from './support/shop-under-test.js';
import { customerIdOf, receipt, startMoneyShop, submitReceipt } from './support/wallet-helpers.js';

const DAY = 86_400_000;

describe('the Jalali calendar', () => {
  it('turns every day of 2015–2035 into its Jalali date and back to the same day', () => {
    for (let day = Date.UTC(2015, 0, 1); day < Date.UTC(2035, 0, 1); day += DAY) {
      const j = jalaliOf(day);
      const g = jalaliToGregorian(j);
      expect(g === null ? null : Date.UTC(g.year, g.month - 1, g.day)).toBe(day);
    }
  });

  it('knows Nowruz and refuses days that do not exist', () => {
    expect(jalaliToGregorian({ year: 1405, month: 1, day: 1 })).toEqual({ year: 2026, month: 3, day: 21 });
    expect(jalaliToGregorian({ year: 1403, month: 12, day: 30 })).toEqual({ year: 2025, month: 3, day: 20 });
    for (const bad of [
      { year: 1404, month: 12, day: 30 },
      { year: 1404, month: 7, day: 31 },
      { year: 1404, month: 13, day: 1 },
      { year: 1404, month: 0, day: 1 },
      { year: 1404, month: 1, day: 0 },
    ]) {
      expect(jalaliToGregorian(bad)).toBeNull();
    }
  });
});

describe('"when you paid" read on the server', () => {
  it('reads Jalali (Persian or ASCII digits) and Gregorian dates in the shop zone, and the date picker’s value', () => {
    const at = new Date('2026-03-01T09:00:00Z');
    expect(parsePaidAt('1404/12/10 12:30', 'Asia/Tehran')).toEqual(at);
    expect(parsePaidAt('۱۴۰۴/۱۲/۱۰ ۱۲:۳۰', 'Asia/Tehran')).toEqual(at);
    expect(parsePaidAt(' 1404-12-10  12:30 ', 'Asia/Tehran')).toEqual(at);
    expect(parsePaidAt('1404/12/10 09:00', 'UTC')).toEqual(at);
    expect(parsePaidAt('2026/03/01 12:30', 'Asia/Tehran')).toEqual(at);
    expect(parsePaidAt('2026-03-01T12:30', 'Asia/Tehran')).toEqual(at);
    expect(jalaliField(at, 'Asia/Tehran')).toBe('1404/12/10 12:30');
    expect(parsePaidAt(jalaliField(at, 'Asia/Tehran'), 'Asia/Tehran')).toEqual(at);
  });

  it('refuses what names no moment', () => {
    for (const bad of [
      '',
      'yesterday',
      '1404/12/30 10:00',
      '1404/12/10 24:00',
      '1404/12/10 10:60',
      '1404/12/10',
      '14041210 1030',
      '2026/02/30 10:00',
    ]) {
      expect(parsePaidAt(bad, 'Asia/Tehran')).toBeNull();
    }
  });
});

describe('the receipt form in Farsi', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startMoneyShop({ SHOP_TIME_ZONE: 'Asia/Tehran' });
  });
  afterAll(() => t.close());

  it('asks for a Jalali date in Tehran time, and stores the UTC instant it names', async () => {
    const buyer = await signedUpBuyer(t.app);
    await buyer.agent.get('/lang/fa?next=/wallet').expect(303);
    const page = await buyer.agent.get('/wallet').expect(200);
    const input = /<input id="card-paidAt"[^>]*>/.exec(page.text)?.[0] ?? '';
    expect(input).toContain('type="text"');
    expect(input).toContain('data-calendar="jalali"');
    expect(input).toContain('placeholder="۱۴۰۴/۱۲/۱۰ ۱۲:۳۰"');
    expect(page.text).toContain('وقت عادی ایران');

    const sent = await submitReceipt(buyer, receipt({ paidAt: '۱۴۰۴/۱۲/۱۰ ۱۱:۳۰' }));
    expect(sent.status).toBe(303);
    const [payment] = (await paymentsOf(t.shop).listByCustomer(await customerIdOf(t.shop, buyer.email), { limit: 5 })).items;
    expect(payment?.details.paidAt).toBe('2026-03-01T08:00:00.000Z');

    const wrong = await submitReceipt(buyer, receipt({ paidAt: '۱۴۰۴/۱۲/۳۰ ۱۱:۳۰' }));
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('value="۱۴۰۴/۱۲/۳۰ ۱۱:۳۰"');
  });

  it('keeps the Gregorian date picker in English', async () => {
    const buyer = await signedUpBuyer(t.app);
    const page = await buyer.agent.get('/wallet').expect(200);
    expect(/<input id="card-paidAt"[^>]*>/.exec(page.text)?.[0]).toContain('type="datetime-local"');
    expect(page.text).toContain('Iran Standard Time');
  });
});
