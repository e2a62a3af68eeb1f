import { PaymentProviderUnavailableError } from '@panelkit/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayKeyRefusedError, keyRefusalIn, sweepPendingPayments } from '../src/index.js';
import { YooKassaSimulator } from '../src/simulators.js';
import { YOOKASSA_PROVIDER, yookassaProvider } from '../src/yookassa.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

let sim: YooKassaSimulator;
beforeAll(async () => {
  sim = await new YooKassaSimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const QUIET_MS = 2 * 60_000;

describe.each(STORAGE_KINDS)('sweepPendingPayments on $name storage', (kind) => {
  const kitWith = kitsOn(kind);
  afterEach(() => {
    sim.down = false;
  });
  async function setup() {
    const { kit, storage, clock, buyer } = await kitWith([
      yookassaProvider({
        api: { baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey },
        callbackUrl: (id) => `http://127.0.0.1:9/return/${id}`,
      }),
    ]);
    const pay = async (amount: number) => {
      const started = await kit.payments.start({ customerId: buyer, providerId: YOOKASSA_PROVIDER, amount: { amount, currency: 'RUB' } });
      if (!started.ok) throw new Error(started.reason);
      return started.payment;
    };
    const sweep = () => sweepPendingPayments(kit, { providers: [YOOKASSA_PROVIDER], quietMs: QUIET_MS, limit: 50, now: clock.now() });
    return { kit, storage, clock, buyer, pay, sweep };
  }

  it.skipIf(kind.skip)(
    'credits a paid payment whose notification never came, once, and leaves unpaid and too-young ones alone',
    async () => {
      const { storage, clock, buyer, pay, sweep } = await setup();
      const paid = await pay(30_000);
      const unpaid = await pay(20_000);
      await sim.pay(paid.externalRef!, { deliveries: 0 });
      // Younger than the quiet time: left to its notification.
      expect(await sweep()).toEqual({ credited: 0, unreachable: [] });
      expect(await storage.ledger.balance(buyer, 'RUB')).toBe(0);
      clock.advance(QUIET_MS + 1_000);
      // Two sweeps at once (two replicas' schedules): the payment is credited by one of them.
      const [a, b] = await Promise.all([sweep(), sweep()]);
      expect(a.credited + b.credited).toBe(1);
      expect(await sweep()).toEqual({ credited: 0, unreachable: [] });
      expect(await storage.ledger.balance(buyer, 'RUB')).toBe(30_000);
      expect((await storage.payments.get(unpaid.id))?.status).toBe('pending');
    },
  );

  it.skipIf(kind.skip)('names a provider it could not ask and credits nothing; the next sweep, with the gateway back, does', async () => {
    const { storage, clock, buyer, pay, sweep } = await setup();
    const paid = await pay(15_000);
    await sim.pay(paid.externalRef!, { deliveries: 0 });
    clock.advance(QUIET_MS + 1_000);
    sim.down = true;
    const result = await sweep();
    expect(result.credited).toBe(0);
    expect(result.unreachable.map((u) => u.providerId)).toEqual([YOOKASSA_PROVIDER]);
    expect(PaymentProviderUnavailableError.is(result.unreachable[0]!.error)).toBe(true);
    expect(await storage.ledger.balance(buyer, 'RUB')).toBe(0);
    sim.down = false;
    expect(await sweep()).toEqual({ credited: 1, unreachable: [] });
    expect(await storage.ledger.balance(buyer, 'RUB')).toBe(15_000);
  });
});

describe('sweepPendingPayments options', () => {
  it('refuses a limit or quiet time out of range before asking anything', async () => {
    const asked: string[] = [];
    const kit = {
      payments: {
        list: async () => {
          asked.push('list');
          return { items: [], nextCursor: null };
        },
      },
    } as never;
    for (const [limit, quietMs] of [
      [0, 1],
      [1.5, 1],
      [10, -1],
      [10, Number.NaN],
    ] as const)
      await expect(sweepPendingPayments(kit, { providers: ['yookassa'], limit, quietMs })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    expect(asked).toEqual([]);
    expect(await sweepPendingPayments(kit, { providers: ['yookassa'], limit: 10, quietMs: 0 })).toEqual({ credited: 0, unreachable: [] });
    expect(asked).toEqual(['list']);
  });
});

describe('a gateway refusing the merchant key', () => {
  it('is found through the causes a provider wraps it in, and nowhere else', () => {
    const refused = new GatewayKeyRefusedError('no such merchant');
    const wrapped = new PaymentProviderUnavailableError('epay', 'refused', { cause: refused });
    expect(keyRefusalIn(wrapped)).toBe(refused);
    expect(keyRefusalIn(refused)?.said).toBe('no such merchant');
    expect(keyRefusalIn(new PaymentProviderUnavailableError('epay', 'down'))).toBeNull();
    expect(keyRefusalIn('not an error')).toBeNull();
  });
});
