import { createPanelkit } from '@panelkit/sdk';
import { describePaymentProvider, ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zarinpalProvider } from '../src/app/payments/zarinpal/provider.js';
import { ZarinpalSimulator } from '../src/stack/demo-zarinpal-gateway.js';

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

describe('zarinpal through kit.payments', () => {
  async function setup() {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const storage = createMemoryStorage({ clock });
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => null as never,
      policy: { identity: { secret: 'zarinpal-test-secret-0123456789', prefix: 'pk' } },
      payments: { providers: [provider()] },
    });
    const buyer = (await storage.customers.create({ email: 'buyer@example.com' })).id;
    const start = async () => {
      const started = await kit.payments.start({ customerId: buyer, providerId: 'zarinpal', amount: { amount: 500_000, currency: 'IRR' } });
      if (!started.ok) throw new Error(started.reason);
      return started;
    };
    return { kit, storage, buyer, start };
  }

  it('request, redirect, verify: credited once, however often the buyer comes back', async () => {
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

  it('a buyer who cancels at the gateway comes back NOK: the request is closed and not counted any more', async () => {
    const { kit, buyer, start } = await setup();
    const { payment } = await start();
    const back = await sim.pay(payment.externalRef!, 'cancel');
    expect(await kit.payments.verify(payment.id, Object.fromEntries(back.searchParams))).toMatchObject({ outcome: 'rejected' });
    expect(await kit.payments.countPending(buyer, 'zarinpal')).toBe(0);
  });

  it('Zarinpal down: the buyer is told to try later and nothing is stored', async () => {
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
