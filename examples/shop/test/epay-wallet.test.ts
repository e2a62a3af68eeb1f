import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveEpaySettings } from '../src/app/payments/epay/settings.js';
import { sweepGatewayPayments } from '../src/app/payments/rails/gateway-sweep.js';
import { readSetting } from '../src/db/shop-settings.js';
import { EpaySimulator } from '@panelkit/payment-providers/simulators';
import { buy, orderIdFrom } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const key = (n: number) => `epay-form-key-${String(n).padStart(6, '0')}`;

describe('EPay in the wallet of a shop in yuan, against the EPay simulator', () => {
  let t: ShopUnderTest;
  let server: Server;
  let base: string;
  let sim: EpaySimulator;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startShop({ env: { PUBLIC_URL: base, SHOP_CURRENCY: 'CNY' } });
    server.on('request', t.app);
    sim = await new EpaySimulator().start();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await sim.close();
    await t.close();
  });

  const customerOf = async (buyer: Visitor & { email: string }) => (await t.shop.accounts.getByEmail(buyer.email))!.customerId;
  const start = (buyer: Visitor, form: Record<string, string>) =>
    buyer.agent
      .post('/wallet/pay/epay')
      .type('form')
      .send({ _csrf: buyer.csrf, ...form });
  const paymentIdOf = (location: string) => /\/wallet\/pay\/epay\/(pay_\w+)$/.exec(location)![1]!;

  it('the owner turns it on in settings (key sealed); a paid top-up is credited once; forged notifies are refused; the money buys a plan', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerOf(buyer);
    expect((await buyer.agent.get('/wallet').expect(200)).text).not.toContain('data-provider="epay"');
    await start(buyer, { amount: '50', idempotencyKey: key(1), method: 'alipay' }).expect(404);

    const admin = await signedInAdmin(t.app);
    const settings = await admin.agent.get('/admin/settings/payments').expect(200);
    expect(settings.text).toContain(`${base}/payments/epay/notify`);
    await admin.agent
      .post('/admin/settings/payments')
      .type('form')
      .send({ _csrf: admin.csrf, epayEnabled: 'on', epayBaseUrl: sim.url, epayPid: sim.pid, epayKey: sim.key, epayMode: 'submit' })
      .expect(303);
    const stored = await readSetting<Record<string, unknown>, { key: string }>(t.shop, 'payments.epay');
    expect(stored?.value).toEqual({ enabled: true, baseUrl: sim.url, pid: sim.pid, mode: 'submit' });
    expect(JSON.stringify(stored?.value)).not.toContain(sim.key);
    expect(stored?.secret?.key).toBe(sim.key);

    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain('data-provider="epay"');
    expect(wallet.text).toContain('value="wxpay"');
    await start(buyer, { amount: '50', idempotencyKey: key(2), method: 'qqpay' }).expect(400);
    await start(buyer, { amount: '50', idempotencyKey: key(3) }).expect(400);

    const started = await start(buyer, { amount: '88.80', idempotencyKey: key(4), method: 'wxpay' }).expect(303);
    const paymentId = paymentIdOf(started.headers['location'] as string);
    const payment = (await t.shop.kit.payments.get(paymentId))!;
    expect(payment).toMatchObject({ providerId: 'epay', status: 'pending', amount: 8880, currency: 'CNY', externalRef: paymentId });
    expect(payment.details).toMatchObject({ method: 'wxpay' });
    const page = await buyer.agent.get(started.headers['location'] as string).expect(200);
    const payUrl = /href="([^"]+)" rel="noopener noreferrer" data-testid="pay-on-gateway"/.exec(page.text)![1]!.replaceAll('&amp;', '&');
    const submit = new URL(payUrl);
    expect(Object.fromEntries(submit.searchParams)).toMatchObject({
      pid: sim.pid,
      type: 'wxpay',
      money: '88.80',
      out_trade_no: paymentId,
      notify_url: `${base}/payments/epay/notify`,
      return_url: `${base}/wallet/pay/epay/${paymentId}/return`,
    });
    // The buyer opens the cashier (the order is made there) and pays; the notify is held back for now.
    expect((await fetch(submit, { redirect: 'manual' })).status).toBe(302);
    const back = await sim.pay(paymentId, { deliveries: 0 });

    // Forgeries: another key's sign (401), a signed notify for another amount or an order the shop never made (409).
    const notify = sim.notify(paymentId);
    const unsigned = Object.fromEntries(Object.entries(notify).filter(([name]) => name !== 'sign' && name !== 'sign_type'));
    expect(await sim.deliver(paymentId, { ...notify, money: '888.00' })).toEqual({ status: 401, body: 'fail' });
    expect(await sim.deliver(paymentId, sim.signed({ ...unsigned, money: '8.88' }))).toEqual({ status: 409, body: 'fail' });
    expect(await sim.deliver(paymentId, sim.signed({ ...unsigned, out_trade_no: 'pay_not_ours' }))).toEqual({ status: 409, body: 'fail' });
    expect(await t.shop.storage.ledger.balance(customerId, 'CNY')).toBe(0);

    // The real notify twice at once, then again: `success` each time, credited once.
    const twice = await Promise.all([sim.deliver(paymentId), sim.deliver(paymentId)]);
    expect(twice).toEqual([
      { status: 200, body: 'success' },
      { status: 200, body: 'success' },
    ]);
    expect(await sim.deliver(paymentId)).toEqual({ status: 200, body: 'success' });
    // POSTed as a form, as some gateways do: the same.
    const posted = await fetch(`${base}/payments/epay/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(notify).toString(),
    });
    expect([posted.status, await posted.text()]).toEqual([200, 'success']);
    const returned = await buyer.agent.get(`${back.pathname}${back.search}`).expect(303);
    expect(returned.headers['location']).toBe('/wallet?done=payRails.credited');
    expect(await t.shop.storage.ledger.balance(customerId, 'CNY')).toBe(8880);
    expect((await t.shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'top_up')).toHaveLength(1);

    // The wallet's money buys a plan; the buyer's history names EPay; the receipts queue lists the payment.
    const plan = (await t.shop.storage.plans.list()).find((p) => p.price.amount <= 8880)!;
    const bought = await buy(buyer, plan.id);
    expect(bought.status).toBe(303);
    expect(orderIdFrom(bought.headers['location'])).toMatch(/^ord_/);
    expect(await t.shop.storage.ledger.balance(customerId, 'CNY')).toBe(8880 - plan.price.amount);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('EPay (Alipay, WeChat Pay)');
    expect((await admin.agent.get('/admin/receipts?status=approved&provider=epay').expect(200)).text).toContain(paymentId);
  });

  it('a notify that never came: the sweep asks the order query and credits once; the buyer’s return asks it too', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerOf(buyer);
    await saveEpaySettings(t.shop, { enabled: true, baseUrl: sim.url, pid: sim.pid, key: sim.key, mode: 'mapi' }, t.clock.now(), null);
    const started = await start(buyer, { amount: '20', idempotencyKey: key(10), method: 'wxpay' }).expect(303);
    const paymentId = paymentIdOf(started.headers['location'] as string);
    // mapi.php made the order and gave WeChat Pay's QR content: the pay page draws it.
    expect((await t.shop.kit.payments.get(paymentId))!.details).toMatchObject({ qrCode: expect.stringMatching(/^weixin:\/\/wxpay\//) });
    expect((await buyer.agent.get(started.headers['location'] as string).expect(200)).text).toContain('data-testid="gateway-qr"');
    const other = await start(buyer, { amount: '30', idempotencyKey: key(11), method: 'alipay' }).expect(303);
    const otherId = paymentIdOf(other.headers['location'] as string);

    await sim.pay(paymentId, { deliveries: 0 });
    await sim.pay(otherId, { deliveries: 0 });
    // Too young: left to its notify.
    expect(await sweepGatewayPayments(t.shop)).toBe(0);
    t.clock.advance(3 * 60_000);
    const [a, b] = await Promise.all([sweepGatewayPayments(t.shop), sweepGatewayPayments(t.shop)]);
    expect(a + b).toBe(2);
    expect(await sweepGatewayPayments(t.shop)).toBe(0);
    expect(await t.shop.storage.ledger.balance(customerId, 'CNY')).toBe(5000);
    const back = await buyer.agent.get(`/wallet/pay/epay/${paymentId}/return`).expect(303);
    expect(back.headers['location']).toBe('/wallet?done=payRails.credited');
    // Its notify arriving late finds it credited.
    expect(await sim.deliver(paymentId)).toEqual({ status: 200, body: 'success' });
    expect(await t.shop.storage.ledger.balance(customerId, 'CNY')).toBe(5000);

    // The JSON API starts the same top-up; a method EPay lacks is a 400.
    const api = await buyer.agent
      .post('/api/v1/gateway-topups/epay')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '12.30', idempotencyKey: key(12), method: 'alipay' })
      .expect(202);
    expect(api.body).toMatchObject({ payment: { status: 'pending' }, payUrl: expect.stringContaining(sim.url) });
    await buyer.agent
      .post('/api/v1/gateway-topups/epay')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '12.30', idempotencyKey: key(13), method: 'sbp' })
      .expect(400);
  });
});
