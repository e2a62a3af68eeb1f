import { describePaymentProvider } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRYPTOBOT_SIGNATURE_HEADER,
  cryptoBotProvider,
  cryptoPaySignature,
  readCryptoBotWebhook,
  verifyCryptoPaySignature,
} from '../src/cryptobot.js';
import { CryptoBotSimulator } from '../src/simulators.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

let sim: CryptoBotSimulator;
beforeAll(async () => {
  sim = await new CryptoBotSimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const provider = () => cryptoBotProvider({ api: () => ({ baseUrl: sim.url, token: sim.token }) });
const header = (signature: string) => ({ [CRYPTOBOT_SIGNATURE_HEADER]: signature });

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

describe('Crypto Pay amounts', () => {
  it('reads a paid invoice’s fiat amount in minor units, whatever trailing zeros Crypto Pay writes', async () => {
    const p = provider();
    const opened = await p.open!({
      paymentId: 'pay_zeros',
      customerId: 'c',
      amount: { amount: 1_50, currency: 'EUR' },
      returnUrl: null,
      description: 'x',
    });
    expect(sim.invoice(opened.externalRef).amount).toBe('1.50');
    await sim.pay(opened.externalRef, { deliveries: 0 });
    for (const written of ['1.5', '1.50000000', '1.50']) {
      sim.invoice(opened.externalRef).amount = written;
      expect(await p.verify!({ externalRef: opened.externalRef } as never, {})).toMatchObject({
        kind: 'paid',
        amount: { amount: 1_50, currency: 'EUR' },
      });
    }
  });
});

describe('readCryptoBotWebhook, framework-free', () => {
  const body = '{"update_id":7,"update_type":"invoice_paid","payload":{"invoice_id":42,"status":"paid"}}';

  it('takes the raw body as text or bytes and the headers as a record or Headers; names the invoice', () => {
    const signature = cryptoPaySignature(body, 'token-1');
    const read = { updateType: 'invoice_paid', invoiceId: '42' };
    expect(readCryptoBotWebhook({ rawBody: body, headers: header(signature), token: 'token-1' })).toEqual(read);
    expect(
      readCryptoBotWebhook({ rawBody: new TextEncoder().encode(body), headers: new Headers(header(signature)), token: 'token-1' }),
    ).toEqual(read);
  });

  it('refuses, typed, another token’s signature, a changed byte, a missing header, and a signed body that is no update', () => {
    const refused = (rawBody: string, headers: Record<string, string>) =>
      expect(() => readCryptoBotWebhook({ rawBody, headers, token: 'token-1' })).toThrowError(
        expect.objectContaining({ code: 'PAYMENT_SIGNATURE_INVALID' }),
      );
    refused(body, header(cryptoPaySignature(body, 'token-2')));
    refused(body.replace('42', '43'), header(cryptoPaySignature(body, 'token-1')));
    refused(body, {});
    refused('{"hello":1}', header(cryptoPaySignature('{"hello":1}', 'token-1')));
    refused('not json', header(cryptoPaySignature('not json', 'token-1')));
  });
});

describe.each(STORAGE_KINDS)('CryptoBot through kit.payments on $name storage', (kind) => {
  const kitOn = kitsOn(kind);

  it.skipIf(kind.skip !== false)(
    'a paid invoice’s webhook, delivered twice at once and again, credits once; a forged one changes nothing',
    async () => {
      const { kit, storage, buyer } = await kitOn([provider()]);
      const started = await kit.payments.start({ customerId: buyer, providerId: 'cryptobot', amount: { amount: 25_00, currency: 'USD' } });
      if (!started.ok) throw new Error(started.reason);
      const invoiceId = started.payment.externalRef!;
      await sim.pay(invoiceId, { deliveries: 0 });
      const callback = (webhook: { rawBody: string; signature: string }) =>
        kit.payments.handleCallback('cryptobot', { headers: header(webhook.signature), body: null, rawBody: webhook.rawBody, query: {} });
      await expect(callback(sim.webhook(invoiceId, { wrongToken: true }))).rejects.toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID' });
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(0);
      const both = await Promise.all([callback(sim.webhook(invoiceId)), callback(sim.webhook(invoiceId))]);
      expect(both.map((r) => r.outcome).sort()).toEqual(['already_credited', 'credited']);
      expect(await callback(sim.webhook(invoiceId))).toMatchObject({ outcome: 'already_credited' });
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(25_00);
    },
  );
});
