import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime } from '../src/i18n/format.js';
import { csrfFrom, signedUpBuyer, startShop, type ShopUnderTest, type Visitor, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { balanceOf, boughtAndProvisioned, fund, idempotencyKeyFrom, planNamed } from './support/buying.js';

const DAY = 86_400_000;

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: ROOMY_RATE_LIMITS,
    },
  });
});
afterAll(() => t.close());

const testIdText = (html: string, testId: string) => new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim();

/** A buyer with a live 30-day Frankfurt subscription (a 3-day extension window) and money left for more. */
async function subscribed(balanceAfter: number): Promise<{ buyer: Visitor & { email: string }; id: string; customerId: string }> {
  const buyer = await signedUpBuyer(t.app);
  const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  const customerId = await fund(t, buyer.email, plan.price.amount + balanceAfter);
  const id = await boughtAndProvisioned(t, buyer, plan.id);
  return { buyer, id, customerId };
}

const frankfurtSim = () => t.shop.demo!.panels.find((p) => p.tag === 'de')!.sim;

describe('extension', () => {
  it('is refused as too early with its opening date, then quoted, paid once, and applied on the panel', async () => {
    const { buyer, id, customerId } = await subscribed(500);
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    const opensAt = new Date(sub.expiresAt!.getTime() - 3 * DAY);

    const early = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(early.text).toContain('data-testid="extension-refused" data-reason="too_early"');
    expect(early.text).toContain(`extension opens on ${formatDateTime(opensAt, 'en', t.config.timeZone)}`);
    expect(early.text).not.toContain('data-testid="extension-form"');

    t.clock.set(new Date(opensAt.getTime() + 60_000));
    const quote = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(quote.text).toContain('data-testid="extension-quote" data-action="extend"');
    const newExpiry = new Date(sub.expiresAt!.getTime() + 30 * DAY);
    expect(testIdText(quote.text, 'new-expires-at')).toBe(formatDateTime(newExpiry, 'en', t.config.timeZone));
    expect(testIdText(quote.text, 'extension-price')).toContain('5.00');
    expect(quote.text).toContain('data-testid="extension-form"');

    const form = { _csrf: csrfFrom(quote.text), idempotencyKey: idempotencyKeyFrom(quote.text) };
    const [paid, twice] = await Promise.all([
      buyer.agent.post(`/subscriptions/${id}/extend`).type('form').send(form),
      buyer.agent.post(`/subscriptions/${id}/extend`).type('form').send(form),
    ]);
    expect(paid.status).toBe(303);
    expect(paid.headers['location']).toBe(`/subscriptions/${id}?done=subscription.extended`);
    // The twin either replayed (303) or found the first one's change in flight (409): never a second charge.
    expect([303, 409]).toContain(twice.status);
    const refresh = await buyer.agent.post(`/subscriptions/${id}/extend`).type('form').send(form);
    expect(refresh.status).toBe(303);
    expect(await balanceOf(t, customerId)).toBe(0);

    const applying = await buyer.agent.get(`/subscriptions/${id}?done=subscription.extended`).expect(200);
    expect(applying.text).toContain('data-testid="change-in-flight"');
    expect(applying.text).toContain('Paid. Your extension is being applied');

    await t.drain();
    const after = (await t.shop.storage.subscriptions.get(id))!;
    expect(after.expiresAt?.toISOString()).toBe(newExpiry.toISOString());
    expect(frankfurtSim().client(after.remote.username)?.['expiryTime']).toBe(newExpiry.getTime());
    const page = await buyer.agent.get(`/subscriptions/${id}`).expect(200);
    expect(testIdText(page.text, 'expires-at')).toBe(formatDateTime(newExpiry, 'en', t.config.timeZone));
    expect(page.text).not.toContain('data-testid="change-in-flight"');
  });

  it('says when a wallet does not cover it (402) and when a change is already being applied (409), charging nothing more', async () => {
    const { buyer, id, customerId } = await subscribed(0);
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    t.clock.set(new Date(sub.expiresAt!.getTime() - DAY));
    const quote = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(quote.text).toContain('data-testid="balance-short"');
    const form = { _csrf: csrfFrom(quote.text), idempotencyKey: idempotencyKeyFrom(quote.text) };
    const short = await buyer.agent.post(`/subscriptions/${id}/extend`).type('form').send(form);
    expect(short.status).toBe(402);
    expect(short.text).toContain('does not cover this price');
    expect(short.text).toContain('href="/wallet"');

    await fund(t, buyer.email, 1000);
    await buyer.agent.post(`/subscriptions/${id}/extend`).type('form').send(form).expect(303);
    const inFlight = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(inFlight.text).toContain('data-testid="change-in-flight"');
    const second = await buyer.agent
      .post(`/subscriptions/${id}/extend`)
      .type('form')
      .send({ ...form, idempotencyKey: 'another-key-123456' });
    expect(second.status).toBe(409);
    expect(second.text).toContain('already being applied');
    expect(await balanceOf(t, customerId)).toBe(500);
    await t.drain();
  });

  it('answers a malformed form with 400 and another buyer with 404, charging nothing', async () => {
    const { buyer, id, customerId } = await subscribed(1000);
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    t.clock.set(new Date(sub.expiresAt!.getTime() - DAY));
    const quote = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    const csrf = csrfFrom(quote.text);
    for (const body of [
      {},
      { idempotencyKey: 'short' },
      { idempotencyKey: ['a'.repeat(20), 'b'.repeat(20)] },
      { idempotencyKey: 'x'.repeat(101) },
    ]) {
      const res = await buyer.agent
        .post(`/subscriptions/${id}/extend`)
        .type('form')
        .send({ _csrf: csrf, ...body });
      expect(res.status).toBe(400);
      expect(res.text).toContain('This form has expired');
    }
    const other = await signedUpBuyer(t.app);
    await fund(t, other.email, 1000);
    const otherPage = await other.agent.get('/dashboard').expect(200);
    await other.agent
      .post(`/subscriptions/${id}/extend`)
      .type('form')
      .send({ _csrf: csrfFrom(otherPage.text), idempotencyKey: idempotencyKeyFrom(quote.text) })
      .expect(404);
    expect(await balanceOf(t, customerId)).toBe(1000);
    expect(await t.shop.kit.quoteExtension(id)).toMatchObject({ allowed: true });
  });

  it('quotes an expired subscription as a fresh period, and gives the too-early date in the Jalali calendar in Farsi', async () => {
    const { buyer, id } = await subscribed(0);
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    await buyer.agent.get('/lang/fa?next=/dashboard').expect(303);
    const early = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    const refused = testIdText(early.text, 'extension-refused') ?? '';
    expect(refused).toContain(formatDateTime(new Date(sub.expiresAt!.getTime() - 3 * DAY), 'fa', t.config.timeZone));
    expect(refused).toMatch(/[۰-۹]{4}/);
    t.clock.set(new Date(sub.expiresAt!.getTime() + DAY));
    // A month on, the session has lapsed: sign in again.
    const signIn = await buyer.agent.get('/signin').expect(200);
    await buyer.agent
      .post('/signin')
      .type('form')
      .send({ _csrf: csrfFrom(signIn.text), email: buyer.email, password: 'correct horse battery' })
      .expect(303);
    const late = await buyer.agent.get(`/subscriptions/${id}/extend`).expect(200);
    expect(late.text).toContain('data-action="reset"');
    expect(late.text).toContain('منقضی شده');
  });
});
