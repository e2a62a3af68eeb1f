import { describePaymentProvider } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRYPTOBOT_SIGNATURE_HEADER, cryptoBotProvider } from '../src/app/payments/cryptobot/provider.js';
import { cryptoPaySignature, verifyCryptoPaySignature } from '../src/app/payments/cryptobot/signature.js';
import { CryptoBotSimulator } from '../src/stack/demo-cryptobot-gateway.js';

let sim: CryptoBotSimulator;
beforeAll(async () => {
  sim = await new CryptoBotSimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const provider = () => cryptoBotProvider({ api: () => ({ baseUrl: sim.url, token: sim.token }) });

describePaymentProvider('cryptobot (simulated Crypto Pay)', async () => ({
  provider: provider(),
  gateway: {
    pay: async (opened) => {
      await sim.pay(opened.externalRef, { deliveries: 0 });
      const { rawBody, signature } = sim.webhook(opened.externalRef);
      return { callback: { headers: { [CRYPTOBOT_SIGNATURE_HEADER]: signature }, body: rawBody, query: {} } };
    },
    forge: (callback) => ({
      ...callback,
      headers: { [CRYPTOBOT_SIGNATURE_HEADER]: cryptoPaySignature(String(callback.body), 'not-the-token') },
    }),
    setDown: (down) => {
      sim.down = down;
    },
  },
}));

describe('Crypto Pay webhook signatures', () => {
  it('are the HMAC-SHA256 of the raw body keyed by SHA-256 of the token; one changed byte or another token fails', () => {
    const body = '{"update_type":"invoice_paid","payload":{"invoice_id":1}}';
    const signature = cryptoPaySignature(body, 'token-1');
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyCryptoPaySignature(body, signature, 'token-1')).toBe(true);
    expect(verifyCryptoPaySignature(body.replace('1}', '2}'), signature, 'token-1')).toBe(false);
    expect(verifyCryptoPaySignature(body, signature, 'token-2')).toBe(false);
    expect(verifyCryptoPaySignature(body, undefined, 'token-1')).toBe(false);
    expect(verifyCryptoPaySignature(body, 'zz', 'token-1')).toBe(false);
  });

  it('a signed webhook for an invoice still unpaid at Crypto Pay is `waiting`: the API, not the webhook, says paid', async () => {
    const p = provider();
    const opened = await p.open!({
      paymentId: 'pay_w',
      customerId: 'c',
      amount: { amount: 1234, currency: 'USD' },
      returnUrl: null,
      description: 'x',
    });
    const { rawBody, signature } = sim.webhook(opened.externalRef);
    const forgedPaid = rawBody.replace('"status":"active"', '"status":"paid"');
    const signal = await p.parseCallback!({
      headers: { [CRYPTOBOT_SIGNATURE_HEADER]: cryptoPaySignature(forgedPaid, sim.token) },
      body: forgedPaid,
      query: {},
    });
    expect(signal).toMatchObject({ externalRef: opened.externalRef, kind: 'waiting' });
    expect(await p.parseCallback!({ headers: { [CRYPTOBOT_SIGNATURE_HEADER]: signature }, body: rawBody, query: {} })).toMatchObject({
      kind: 'waiting',
    });
    await sim.pay(opened.externalRef, { deliveries: 0 });
    expect(await p.verify!({ externalRef: opened.externalRef } as never, {})).toMatchObject({
      kind: 'paid',
      amount: { amount: 1234, currency: 'USD' },
    });
    sim.expire(opened.externalRef);
    expect(await p.verify!({ externalRef: opened.externalRef } as never, {})).toMatchObject({ kind: 'expired' });
  });
});
