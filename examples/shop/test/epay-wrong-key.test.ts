/**
 * A mistyped EPay merchant key (issue 67): EPay's cashier checks the key only once a buyer is on it ("signature check
 * failed"), so the shop asks the gateway first. Saving a key the gateway refuses is refused, saying so; a key the
 * gateway stops taking refuses the buyer's top-up with a clear word, and the owner is told once per setup.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveEpaySettings } from '../src/app/payments/epay/settings.js';
import { sweepGatewayPayments } from '../src/app/payments/rails/gateway-sweep.js';
import { readSetting } from '../src/db/shop-settings.js';
import { EpaySimulator } from '@panelkit/payment-providers/simulators';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const REFUSED_LOG = 'the gateway refuses the merchant id or key';

describe('an EPay merchant key the gateway refuses, against the EPay simulator', () => {
  let t: ShopUnderTest;
  let sim: EpaySimulator;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await startShop({ env: { PUBLIC_URL: 'http://127.0.0.1:9', SHOP_CURRENCY: 'CNY' }, logger: pino({ level: 'warn' }, sink) });
    sim = await new EpaySimulator().start();
  });
  afterAll(async () => {
    await sim.close();
    await t.close();
  });

  const saveForm = (admin: Visitor, fields: Record<string, string>) =>
    admin.agent
      .post('/admin/settings/payments')
      .type('form')
      .send({
        _csrf: admin.csrf,
        epayEnabled: 'on',
        epayBaseUrl: sim.url,
        epayPid: sim.pid,
        epayKey: sim.key,
        epayMode: 'submit',
        ...fields,
      });
  const notices = async () =>
    (
      await t.shop.db.query<{ params: Record<string, unknown> }>(
        `SELECT params FROM ${t.shop.shopSchema}.notifications WHERE kind = 'gateway_key_refused' ORDER BY created_at, id`,
      )
    ).rows.map((row) => row.params);
  const refusalLogs = () => logLines.filter((line) => line.includes(REFUSED_LOG));

  it('the owner cannot save a key or merchant id the gateway refuses, nor an address that does not answer: told why, nothing saved', async () => {
    const admin = await signedInAdmin(t.app);
    const audited = async () =>
      (await t.shop.storage.audit.list({ subjectType: 'shop', subjectId: 'settings' }, { limit: 50 })).items.length;
    const auditedBefore = await audited();
    const wrongKey = await saveForm(admin, { epayKey: 'mistyped-merchant-key' }).expect(400);
    expect(wrongKey.text).toContain('The gateway refused this merchant id and key');
    expect(wrongKey.text).toContain('商户密钥错误');
    const wrongPid = await saveForm(admin, { epayPid: '1' }).expect(400);
    expect(wrongPid.text).toContain('商户ID不存在');
    sim.down = true;
    try {
      const dead = await saveForm(admin, {}).expect(400);
      expect(dead.text).toContain('did not answer at this address as EPay does');
    } finally {
      sim.down = false;
    }
    expect(await readSetting(t.shop, 'payments.epay')).toBeNull();
    expect(await audited()).toBe(auditedBefore);

    await saveForm(admin, {}).expect(303);
    expect((await readSetting<{ enabled: boolean }, { key: string }>(t.shop, 'payments.epay'))?.secret?.key).toBe(sim.key);
  });

  it('a key the gateway stops taking: the buyer is refused in clear words on the web and the API, nothing is stored, the owner told once per setup', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.accounts.getByEmail(buyer.email))!.customerId;
    // The key changed at the gateway after the owner saved it (or was saved before the shop checked keys).
    t.clock.advance(60_000);
    await saveEpaySettings(
      t.shop,
      { enabled: true, baseUrl: sim.url, pid: sim.pid, key: 'rotated-at-the-gateway', mode: 'submit' },
      t.clock.now(),
      null,
    );
    const form = (n: number) => ({ amount: '50', idempotencyKey: `epay-wrong-key-form-${n}`, method: 'alipay' });

    const web = await buyer.agent
      .post('/wallet/pay/epay')
      .type('form')
      .send({ _csrf: buyer.csrf, ...form(1) })
      .expect(503);
    expect(web.text).toContain('This way to pay is not set up right at the moment');
    const api = await buyer.agent.post('/api/v1/gateway-topups/epay').set('x-csrf-token', buyer.csrf).send(form(2)).expect(503);
    expect(api.body.error.message).toContain('not set up right');
    await buyer.agent.post('/api/v1/gateway-topups/epay').set('x-csrf-token', buyer.csrf).send(form(3)).expect(503);
    expect((await t.shop.kit.payments.list({ customerId }, { limit: 10 })).items).toEqual([]);
    expect(sim.orders.size).toBe(0);
    expect(await notices()).toEqual([{ gateway: 'EPay', said: '商户密钥错误' }]);
    expect(refusalLogs()).toHaveLength(1);

    // Saved again (through the API of mapi.php now), still wrong: that setup is told of once more, and only once.
    t.clock.advance(60_000);
    await saveEpaySettings(
      t.shop,
      { enabled: true, baseUrl: sim.url, pid: sim.pid, key: 'still-not-the-key', mode: 'mapi' },
      t.clock.now(),
      null,
    );
    for (const n of [4, 5]) {
      const again = await buyer.agent.post('/api/v1/gateway-topups/epay').set('x-csrf-token', buyer.csrf).send(form(n)).expect(503);
      expect(again.body.error.message).toContain('not set up right');
    }
    expect(await notices()).toHaveLength(2);
    expect(refusalLogs()).toHaveLength(2);
    expect((await t.shop.kit.payments.list({ customerId }, { limit: 10 })).items).toEqual([]);

    // The right key again: the top-up starts.
    t.clock.advance(60_000);
    await saveEpaySettings(t.shop, { enabled: true, baseUrl: sim.url, pid: sim.pid, key: sim.key, mode: 'submit' }, t.clock.now(), null);
    await buyer.agent.post('/api/v1/gateway-topups/epay').set('x-csrf-token', buyer.csrf).send(form(6)).expect(202);
    expect(await notices()).toHaveLength(2);
  });

  it('the sweep asking about a pending payment with a key the gateway refuses tells the owner too, once per setup', async () => {
    const pending = await t.shop.kit.payments.list({ providerId: 'epay', statuses: ['pending'] }, { limit: 10 });
    expect(pending.items).toHaveLength(1);
    const told = (await notices()).length;
    t.clock.advance(60_000);
    await saveEpaySettings(
      t.shop,
      { enabled: true, baseUrl: sim.url, pid: sim.pid, key: 'changed-again', mode: 'submit' },
      t.clock.now(),
      null,
    );
    t.clock.advance(5 * 60_000);
    for (let sweep = 0; sweep < 2; sweep++)
      await expect(sweepGatewayPayments(t.shop)).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' });
    expect(await notices()).toHaveLength(told + 1);
    expect((await t.shop.kit.payments.get(pending.items[0]!.id))?.status).toBe('pending');
  });
});
