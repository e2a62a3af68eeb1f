import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime } from '../src/i18n/format.js';
import { boughtAndProvisioned, fund, idempotencyKeyFrom, planNamed } from './support/buying.js';
import { csrfFrom, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const DAY = 86_400_000;
const ROOMY = { limit: 1000, windowMs: 60_000 };

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: { signIn: ROOMY, signUp: ROOMY, checkout: ROOMY } } });
});
afterAll(() => t.close());

const testIdText = (html: string, testId: string) => new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim();
const notices = (html: string) => html.match(/class="notice"/g)?.length ?? 0;

describe('the extension page', () => {
  it('quotes the current and the new expiry side by side, and says how much time is left whatever the window', async () => {
    const plan = await planNamed(t, 'Frankfurt · 1 month · unlimited');
    await t.shop.storage.plans.update(plan.id, { extension: { ...plan.extension, windowDays: 30 } });
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, plan.price.amount * 2);
    const id = await boughtAndProvisioned(t, buyer, plan.id);
    const sub = (await t.shop.storage.subscriptions.get(id))!;

    t.clock.set(new Date(sub.expiresAt!.getTime() - 25 * DAY));
    const quote = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(testIdText(quote.text, 'current-expires-at')).toBe(formatDateTime(sub.expiresAt!, 'en', t.config.timeZone));
    expect(testIdText(quote.text, 'new-expires-at')).toBe(
      formatDateTime(new Date(sub.expiresAt!.getTime() + 30 * DAY), 'en', t.config.timeZone),
    );
    expect(testIdText(quote.text, 'extension-basis')).toBe(
      'Your current period has 25 days left. The new period is added after it, so you keep every day you paid for.',
    );
    expect(quote.text).not.toContain('ends soon');

    t.clock.set(new Date(sub.expiresAt!.getTime() - 3 * DAY));
    const late = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(testIdText(late.text, 'extension-basis')).toContain('has 3 days left');
    await buyer.agent.get('/lang/fa').expect(303);
    const farsi = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(farsi.text).toContain('پس از پرداخت');
    expect(testIdText(farsi.text, 'extension-basis')).toContain('۳ روز مانده است');
  });

  it('after paying shows one notice, reloads itself while the change is applied, then the new expiry with one notice', async () => {
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, plan.price.amount * 2);
    const id = await boughtAndProvisioned(t, buyer, plan.id);
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    t.clock.set(new Date(sub.expiresAt!.getTime() - DAY));
    const quote = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    const paid = await buyer.agent
      .post(`/subscriptions/${id}/extend`)
      .type('form')
      .send({ _csrf: csrfFrom(quote.text), idempotencyKey: idempotencyKeyFrom(quote.text) })
      .expect(303);

    const applying = await buyer.agent.get(paid.headers['location'] as string).expect(200);
    expect(notices(applying.text)).toBe(1);
    expect(applying.text).toContain('data-testid="change-in-flight"');
    expect(applying.text).toContain('http-equiv="refresh"');

    await t.drain();
    const newExpiry = new Date(sub.expiresAt!.getTime() + 30 * DAY);
    const done = await buyer.agent.get(paid.headers['location'] as string).expect(200);
    expect(notices(done.text)).toBe(1);
    expect(testIdText(done.text, 'extension-applied')).toBe(
      `Extended. Your subscription now runs until ${formatDateTime(newExpiry, 'en', t.config.timeZone)}.`,
    );
    expect(testIdText(done.text, 'expires-at')).toBe(formatDateTime(newExpiry, 'en', t.config.timeZone));
    expect(done.text).not.toContain('http-equiv="refresh"');
    expect(done.text).not.toContain('being applied');
  });
});
