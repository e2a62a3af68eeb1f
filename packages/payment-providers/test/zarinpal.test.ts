import { describePaymentProvider } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZarinpalSimulator } from '../src/simulators.js';
import { zarinpalProvider } from '../src/zarinpal.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

let sim: ZarinpalSimulator;
beforeAll(async () => {
  sim = await new ZarinpalSimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const provider = () =>
  zarinpalProvider({
    api: () => ({ baseUrl: sim.url, merchantId: sim.merchantId }),
    callbackUrl: (id) => `http://127.0.0.1:9/wallet/zarinpal/${id}`,
  });

describePaymentProvider('zarinpal (simulated)', async () => ({
  provider: provider(),
  currency: 'IRR',
  gateway: {
    pay: async (opened) => ({ returned: Object.fromEntries((await sim.pay(opened.externalRef)).searchParams) }),
    setDown: (down) => {
      sim.down = down;
    },
  },
}));

describe.each(STORAGE_KINDS)('zarinpal through kit.payments on $name storage', (kind) => {
  const kitOn = kitsOn(kind);
  async function setup() {
    const { kit, storage, buyer } = await kitOn([provider()]);
    const start = async () => {
      const started = await kit.payments.start({ customerId: buyer, providerId: 'zarinpal', amount: { amount: 500_000, currency: 'IRR' } });
      if (!started.ok) throw new Error(started.reason);
      return started;
    };
    return { kit, storage, buyer, start };
  }

  it.skipIf(kind.skip !== false)('request, redirect, verify: credited once, however often the buyer comes back', async () => {
    const { kit, storage, buyer, start } = await setup();
    const { payment, redirectUrl } = await start();
    expect(redirectUrl).toBe(new URL(`pg/StartPay/${payment.externalRef}`, sim.url).toString());
    // Coming back before paying (or forging Status=OK) credits nothing: Zarinpal is asked, not the query.
    expect(await kit.payments.verify(payment.id, { Authority: payment.externalRef!, Status: 'OK' })).toMatchObject({ outcome: 'waiting' });
    const back = await sim.pay(payment.externalRef!);
    expect(back.searchParams.get('Status')).toBe('OK');
    const returned = Object.fromEntries(back.searchParams);
    expect(await kit.payments.verify(payment.id, returned)).toMatchObject({
      outcome: 'credited',
      payment: { status: 'credited', confirmation: 'gateway' },
    });
    expect(await kit.payments.verify(payment.id, returned)).toMatchObject({ outcome: 'already_credited' });
    expect(await storage.ledger.balance(buyer, 'IRR')).toBe(500_000);
  });

  it.skipIf(kind.skip !== false)(
    'a buyer who cancels at the gateway comes back NOK: the request is closed and not counted any more',
    async () => {
      const { kit, buyer, start } = await setup();
      const { payment } = await start();
      const back = await sim.pay(payment.externalRef!, 'cancel');
      expect(await kit.payments.verify(payment.id, Object.fromEntries(back.searchParams))).toMatchObject({ outcome: 'rejected' });
      expect(await kit.payments.countPending(buyer, 'zarinpal')).toBe(0);
    },
  );

  it.skipIf(kind.skip !== false)('Zarinpal down: the buyer is told to try later and nothing is stored', async () => {
    const { kit, buyer } = await setup();
    sim.down = true;
    try {
      await expect(
        kit.payments.start({ customerId: buyer, providerId: 'zarinpal', amount: { amount: 500_000, currency: 'IRR' } }),
      ).rejects.toMatchObject({
        code: 'PAYMENT_PROVIDER_UNAVAILABLE',
      });
    } finally {
      sim.down = false;
    }
    expect((await kit.payments.list({ customerId: buyer }, { limit: 5 })).items).toEqual([]);
  });
});

describe('the Zarinpal simulator in-process', () => {
  it('answers a Fetch Request with handle() for the merchant it was given, refusing another (-11)', async () => {
    const zp = new ZarinpalSimulator({ merchantId: 'merchant-given' });
    const request = (merchantId: string) =>
      zp.handle(
        new Request('http://sim/pg/v4/payment/request.json', {
          method: 'POST',
          body: JSON.stringify({ merchant_id: merchantId, amount: 10_000, callback_url: 'http://127.0.0.1:9/back' }),
        }),
      );
    const made = await request('merchant-given');
    expect(made.status).toBe(200);
    const { data } = (await made.json()) as { data: { code: number; authority: string } };
    expect(data.code).toBe(100);
    expect(zp.sessions.get(data.authority)).toMatchObject({ amount: 10_000, state: 'created' });
    const refused = await request('another');
    expect([refused.status, ((await refused.json()) as { errors: { code: number } }).errors.code]).toEqual([400, -11]);
  });
});
