import { createHash } from 'node:crypto';
import { describePaymentProvider } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEpayKey, epayProvider, epaySign, epaySignedString, readEpayNotify, verifyEpaySign, type EpayMode } from '../src/epay.js';
import { keyRefusalIn } from '../src/index.js';
import { EpaySimulator } from '../src/simulators.js';
import { md5Sign } from '../src/simulators/epay.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

let sim: EpaySimulator;
beforeAll(async () => {
  sim = await new EpaySimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const provider = (mode: EpayMode, key = () => sim.key) =>
  epayProvider({
    api: () => ({ baseUrl: sim.url, pid: sim.pid, key: key(), mode }),
    notifyUrl: () => 'http://127.0.0.1:9/payments/epay/notify',
    callbackUrl: (id) => `http://127.0.0.1:9/wallet/pay/epay/${id}/return`,
  });

/** The buyer opens the gateway's page (submit.php makes the order there) and pays; the notify is not sent. */
async function payAt(redirectUrl: string | null, outTradeNo: string): Promise<Record<string, string>> {
  if (redirectUrl !== null) await (await fetch(redirectUrl, { redirect: 'manual' })).arrayBuffer();
  await sim.pay(outTradeNo, { deliveries: 0 });
  return sim.notify(outTradeNo);
}

for (const mode of ['submit', 'mapi'] as const) {
  describePaymentProvider(`epay (${mode}, simulated gateway)`, async () => ({
    provider: provider(mode),
    currency: 'CNY',
    gateway: {
      pay: async (opened) => ({ callback: { headers: {}, body: {}, query: await payAt(opened.redirectUrl, opened.externalRef) } }),
      forge: (callback) => ({ ...callback, query: { ...callback.query, sign: epaySign({ ...callback.query }, 'not-the-key') } }),
      setDown: (down) => {
        sim.down = down;
      },
    },
  }));
}

describe('EPay signatures', () => {
  it('sort the non-empty parameters but sign/sign_type, join k=v with &, append the key, MD5 in lower-case hex', () => {
    const params = { type: 'alipay', pid: '1001', money: '1.00', name: 'VIP', empty: '', sign: 'x', sign_type: 'MD5' };
    expect(epaySignedString(params)).toBe('money=1.00&name=VIP&pid=1001&type=alipay');
    expect(epaySign(params, 'key')).toBe(createHash('md5').update('money=1.00&name=VIP&pid=1001&type=alipaykey').digest('hex'));
    const signed = { ...params, sign: epaySign(params, 'key') };
    expect(signed.sign).toMatch(/^[0-9a-f]{32}$/);
    expect(verifyEpaySign(signed, 'key')).toBe(true);
    expect(verifyEpaySign({ ...signed, money: '100.00' }, 'key')).toBe(false);
    expect(verifyEpaySign(signed, 'other')).toBe(false);
    expect(verifyEpaySign({ ...signed, sign: 'zz' }, 'key')).toBe(false);
    // An empty value does not change the sign; a new non-empty one does.
    expect(verifyEpaySign({ ...signed, param: '' }, 'key')).toBe(true);
    expect(verifyEpaySign({ ...signed, param: 'x' }, 'key')).toBe(false);
  });

  it('the shop and the simulator, written apart, both give the protocol’s sign of a known request', () => {
    const params = {
      type: 'alipay',
      pid: '1001',
      out_trade_no: 'pay_1',
      notify_url: 'http://127.0.0.1/n',
      return_url: '',
      money: '1.00',
      name: 'VIP',
      sign_type: 'MD5',
    };
    // md5("money=1.00&name=VIP&notify_url=http://127.0.0.1/n&out_trade_no=pay_1&pid=1001&type=alipay" + "8f2d"), by md5sum.
    const known = '95de3a3fc757010f25df53eadf693876';
    expect(md5Sign(params, '8f2d')).toBe(known);
    expect(epaySign(params, '8f2d')).toBe(known);
  });
});

describe('readEpayNotify, framework-free', () => {
  const merchant = { pid: '1001', key: 'merchant-key' };
  const notify = (params: Record<string, string>) => ({ ...params, sign: md5Sign(params, merchant.key), sign_type: 'MD5' });
  const paid = {
    pid: '1001',
    trade_no: 'T1',
    out_trade_no: 'pay_1',
    type: 'alipay',
    name: 'VIP',
    money: '12.50',
    trade_status: 'TRADE_SUCCESS',
  };

  it('reads a GET notify from the raw query string or its values, and a POSTed form from its raw body', () => {
    const signal = { externalRef: 'pay_1', kind: 'paid', amount: { amount: 1250, currency: 'CNY' }, providerStatus: 'TRADE_SUCCESS' };
    const query = new URLSearchParams(notify(paid)).toString();
    expect(readEpayNotify({ query: `?${query}` }, merchant)).toEqual(signal);
    expect(readEpayNotify({ query: notify(paid) }, merchant)).toEqual(signal);
    expect(readEpayNotify({ body: query }, merchant)).toEqual(signal);
    expect(readEpayNotify({ body: new TextEncoder().encode(query) }, merchant)).toEqual(signal);
    expect(readEpayNotify({ query: notify({ ...paid, trade_status: 'WAIT_BUYER_PAY' }) }, merchant)).toMatchObject({ kind: 'waiting' });
  });

  it('refuses, typed, a notify under another key, for another merchant, naming no order or no amount', () => {
    const refused = (query: Record<string, string>) =>
      expect(() => readEpayNotify({ query }, merchant)).toThrowError(expect.objectContaining({ code: 'PAYMENT_SIGNATURE_INVALID' }));
    refused({ ...notify(paid), money: '1250.00' });
    refused({ ...paid, sign: md5Sign(paid, 'another-key'), sign_type: 'MD5' });
    refused(notify({ ...paid, pid: '1002' }));
    refused(notify({ ...paid, out_trade_no: '' }));
    refused(notify({ ...paid, money: 'twelve' }));
    refused({});
  });
});

describe('a merchant id or key EPay refuses', () => {
  const kitOn = kitsOn(STORAGE_KINDS[0]!);
  const orderQuery = async (params: Record<string, string>) =>
    (await fetch(new URL(`api.php?${new URLSearchParams({ act: 'order', ...params })}`, sim.url))).json();

  it('the simulator answers the order query as 彩虹易支付 does: code -3 naming the wrong id or key, -1 for an unknown order', async () => {
    expect(await orderQuery({ pid: '1', key: sim.key, out_trade_no: 'pay_x' })).toEqual({ code: -3, msg: '商户ID不存在' });
    expect(await orderQuery({ pid: sim.pid, key: `${sim.key}0`, out_trade_no: 'pay_x' })).toEqual({ code: -3, msg: '商户密钥错误' });
    expect(await orderQuery({ pid: sim.pid, key: sim.key, out_trade_no: 'pay_x' })).toEqual({ code: -1, msg: '订单号不存在' });
    expect(await orderQuery({ pid: sim.pid, key: sim.key })).toEqual({ code: -4, msg: '订单号不能为空' });
  });

  it('is found before it is saved: the right key passes, a wrong key or id is refused in the gateway’s word, a dead address said so', async () => {
    const api = { baseUrl: sim.url, pid: sim.pid, key: sim.key, mode: 'submit' as const };
    expect(await checkEpayKey(api)).toEqual({ ok: true });
    expect(await checkEpayKey({ ...api, key: 'mistyped-key' })).toEqual({ ok: false, problem: 'key_refused', said: '商户密钥错误' });
    expect(await checkEpayKey({ ...api, pid: '1' })).toEqual({ ok: false, problem: 'key_refused', said: '商户ID不存在' });
    sim.down = true;
    try {
      expect(await checkEpayKey(api)).toEqual({ ok: false, problem: 'unreachable' });
    } finally {
      sim.down = false;
    }
  });

  for (const mode of ['submit', 'mapi'] as const) {
    it(`starting a payment (${mode}) with it fails as a key refusal, and nothing is stored`, async () => {
      const { kit, buyer } = await kitOn([provider(mode, () => 'mistyped-key')]);
      const failed = await kit.payments
        .start({ customerId: buyer, providerId: 'epay', amount: { amount: 10_00, currency: 'CNY' }, method: 'alipay' })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failed).toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' });
      expect(keyRefusalIn(failed)).toMatchObject({ said: '商户密钥错误' });
      expect((await kit.payments.list({ providerId: 'epay' }, { limit: 10 })).items).toEqual([]);
    });
  }
});

describe.each(STORAGE_KINDS)('EPay through kit.payments on $name storage', (kind) => {
  const kitOn = kitsOn(kind);
  async function setup(mode: EpayMode) {
    return kitOn([provider(mode)]);
  }

  it.skipIf(kind.skip !== false)(
    'a notify credits once however often it comes; a forged, unpaid or other-amount notify credits nothing',
    async () => {
      const { kit, storage, buyer } = await setup('submit');
      const started = await kit.payments.start({
        customerId: buyer,
        providerId: 'epay',
        amount: { amount: 12_50, currency: 'CNY' },
        method: 'wxpay',
      });
      if (!started.ok) throw new Error(started.reason);
      const { payment, redirectUrl } = started;
      expect(payment.details).toMatchObject({ method: 'wxpay' });
      const submit = new URL(redirectUrl!);
      expect(submit.pathname).toBe('/submit.php');
      expect(Object.fromEntries(submit.searchParams)).toMatchObject({
        pid: sim.pid,
        type: 'wxpay',
        money: '12.50',
        out_trade_no: payment.id,
        sign_type: 'MD5',
      });
      await (await fetch(submit, { redirect: 'manual' })).arrayBuffer();
      const callback = (query: Record<string, string>) => kit.payments.handleCallback('epay', { headers: {}, body: {}, query });

      // Not paid yet: a signed notify saying WAIT_BUYER_PAY is not money.
      expect(await callback(sim.notify(payment.id))).toMatchObject({ outcome: 'waiting' });
      // Forgeries: another key's sign, a changed amount under the old sign, another merchant's pid.
      await expect(callback(sim.notify(payment.id, { trade_status: 'TRADE_SUCCESS' }))).rejects.toMatchObject({
        code: 'PAYMENT_SIGNATURE_INVALID',
      });
      await sim.pay(payment.id, { deliveries: 0 });
      await expect(callback(sim.notify(payment.id, { money: '1250.00' }))).rejects.toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID' });
      await expect(callback(sim.signed({ ...withoutSign(sim.notify(payment.id)), pid: '1' }))).rejects.toMatchObject({
        code: 'PAYMENT_SIGNATURE_INVALID',
      });
      // Signed, but for another amount: left for an admin, nothing credited.
      expect(await callback(sim.signed({ ...withoutSign(sim.notify(payment.id)), money: '1.00' }))).toMatchObject({ outcome: 'mismatch' });
      // Signed, for an order the shop never made.
      expect(await callback(sim.signed({ ...withoutSign(sim.notify(payment.id)), out_trade_no: 'pay_elsewhere' }))).toMatchObject({
        outcome: 'unknown',
      });
      expect(await storage.ledger.balance(buyer, 'CNY')).toBe(0);

      const [first, second] = await Promise.all([callback(sim.notify(payment.id)), callback(sim.notify(payment.id))]);
      expect([first.outcome, second.outcome].sort()).toEqual(['already_credited', 'credited']);
      expect(await callback(sim.notify(payment.id))).toMatchObject({ outcome: 'already_credited' });
      expect(await storage.ledger.balance(buyer, 'CNY')).toBe(12_50);
    },
  );

  it.skipIf(kind.skip !== false)(
    'a lost notify: the order query says paid, and the payment is credited once; a method EPay lacks is refused',
    async () => {
      const { kit, storage, buyer } = await setup('mapi');
      const started = await kit.payments.start({
        customerId: buyer,
        providerId: 'epay',
        amount: { amount: 300_00, currency: 'CNY' },
        method: 'alipay',
      });
      if (!started.ok) throw new Error(started.reason);
      const { payment } = started;
      expect(payment.details).toMatchObject({ method: 'alipay', tradeNo: sim.order(payment.id).tradeNo });
      expect(await kit.payments.verify(payment.id, {})).toMatchObject({ outcome: 'waiting' });
      await sim.pay(payment.id, { deliveries: 0 });
      expect(await kit.payments.verify(payment.id, {})).toMatchObject({ outcome: 'credited', payment: { confirmation: 'gateway' } });
      expect(await kit.payments.verify(payment.id, {})).toMatchObject({ outcome: 'already_credited' });
      expect(await storage.ledger.balance(buyer, 'CNY')).toBe(300_00);
      await expect(
        kit.payments.start({ customerId: buyer, providerId: 'epay', amount: { amount: 100, currency: 'CNY' }, method: 'sbp' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );
});

function withoutSign(params: Record<string, string>): Record<string, string> {
  const { sign: _sign, sign_type: _type, ...rest } = params;
  return rest;
}
