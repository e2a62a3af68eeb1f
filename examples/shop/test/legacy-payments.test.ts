/**
 * A deployed shop's own payments (the table of releases before the SDK's payments) are carried over to
 * the SDK through `kit.payments.import`, once however often it runs, keeping their ids and therefore
 * their ledger keys: nothing credited again, nothing lost. Then the old table is dropped.
 */
import { cardToCardProvider, createPanelkit, createSecretBox, parseSecretKeys, testPaymentProvider, type Panelkit } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, migrate, type SqlClient } from '@panelkit/storage-postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { carryOverLegacyPayments, hasLegacyPayments } from '../src/db/legacy-payments.js';
import { DROP_LEGACY_PAYMENTS, migrateShop } from '../src/db/migrations.js';
import { cryptoGatewayProvider } from '../src/app/payments/crypto/provider.js';
import type { OpenDatabase } from '../src/stack/database.js';
import { TEST_SECRET_KEYS, TEST_START, memoryDatabase } from './support/shop-under-test.js';

const SCHEMA = 'panelkit';
const SHOP = `"${SCHEMA}_shop"`;
const opened: OpenDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function legacyShop() {
  const clock = new ManualClock(TEST_START);
  const db = await memoryDatabase();
  opened.push(db);
  const client: SqlClient = db.client;
  await migrate(client, { schema: SCHEMA, clock });
  await migrateShop(client, SCHEMA, clock.now(), { before: DROP_LEGACY_PAYMENTS });
  const storage = createPostgresStorage({ client, schema: SCHEMA, clock });
  const secretBox = createSecretBox(parseSecretKeys(TEST_SECRET_KEYS));
  const kit: Panelkit = createPanelkit({
    storage,
    clock,
    panels: () => null as never,
    policy: { identity: { secret: 'legacy-payments-secret-0123456789', prefix: 'pk' } },
    payments: {
      providers: [cardToCardProvider(), cryptoGatewayProvider({ db: client, shopSchema: SHOP, secretBox }), testPaymentProvider()],
    },
  });
  return { clock, client, storage, kit };
}

describe('carrying the shop’s own payments over to the SDK', () => {
  it('imports every row once with its status, references and credit, then the old table is dropped', async () => {
    const { clock, client, storage, kit } = await legacyShop();
    const buyer = (await storage.customers.create({ email: 'old-buyer@example.com' })).id;
    const insert = (
      id: string,
      provider: string,
      amount: number,
      status: string,
      ref: string | null,
      details: object,
      reviewedBy: string | null,
    ) =>
      client.query(
        `INSERT INTO ${SHOP}.payments (id, customer_id, provider, amount, currency, status, reference, reference_key, details, created_at, reviewed_at, reviewed_by)
         VALUES ($1, $2, $3, $4, 'USD', $5, $6, $7, $8::jsonb, $9, $10, $11)`,
        [
          id,
          buyer,
          provider,
          amount,
          status,
          ref,
          ref?.toLowerCase() ?? null,
          JSON.stringify(details),
          clock.now(),
          status === 'pending' ? null : clock.now(),
          reviewedBy,
        ],
      );
    // What the old shop credited, it credited under `payment:<id>`.
    const credit = (id: string, amount: number) =>
      kit.topUp({ customerId: buyer, amount: { amount, currency: 'USD' }, idempotencyKey: `payment:${id}` });
    await insert('pay_old_card_pending', 'card', 500, 'pending', 'RCPT1', { cardLast4: '1234', requestKey: 'k1' }, null);
    await insert('pay_old_card_ok', 'card', 700, 'approved', 'RCPT2', { cardLast4: '1234', requestKey: 'k2' }, 'acc_admin');
    await credit('pay_old_card_ok', 700);
    await insert('pay_old_card_no', 'card', 300, 'rejected', 'RCPT3', { requestKey: 'k3' }, 'acc_admin');
    await insert(
      'pay_old_crypto',
      'crypto',
      800,
      'approved',
      '5000000001',
      { requestKey: 'k4', invoiceId: 'inv-1', invoiceUrl: 'https://g/pay/inv-1' },
      null,
    );
    await credit('pay_old_crypto', 800);
    await insert(
      'pay_old_crypto_2',
      'crypto',
      800,
      'approved',
      '5000000002',
      { invoiceId: 'inv-1', invoiceUrl: 'https://g/pay/inv-1' },
      null,
    );
    await credit('pay_old_crypto_2', 800);
    await insert('pay_old_crypto_wait', 'crypto', 900, 'pending', null, { requestKey: 'k5', invoiceId: 'inv-2' }, null);
    // Approved, but the process died before the ledger got it: carried over pending, for an admin.
    await insert('pay_old_crashed', 'card', 400, 'approved', 'RCPT4', { requestKey: 'k6' }, 'acc_admin');
    const balance = await storage.ledger.balance(buyer, 'USD');

    const first = await carryOverLegacyPayments(client, SHOP, { kit, ledger: storage.ledger }, clock.now());
    expect(first).toEqual({ read: 7, imported: 7, failed: [] });
    const again = await carryOverLegacyPayments(client, SHOP, { kit, ledger: storage.ledger }, clock.now());
    expect(again).toEqual({ read: 7, imported: 0, failed: [] });

    const get = async (id: string) => (await kit.payments.get(id))!;
    expect(await get('pay_old_card_pending')).toMatchObject({ status: 'pending', externalRef: 'rcpt1', details: { reference: 'RCPT1' } });
    expect(await get('pay_old_card_ok')).toMatchObject({
      status: 'credited',
      confirmation: 'admin_approval',
      ledgerEntryId: (await storage.ledger.getByIdempotencyKey('payment:pay_old_card_ok'))!.id,
      decidedBy: { type: 'admin', id: 'acc_admin' },
    });
    expect(await get('pay_old_card_no')).toMatchObject({ status: 'rejected' });
    expect(await get('pay_old_crypto')).toMatchObject({
      status: 'credited',
      confirmation: 'gateway',
      externalRef: 'inv-1',
      details: { settlementRef: '5000000001' },
    });
    expect(await get('pay_old_crypto_2')).toMatchObject({ status: 'credited', externalRef: 'inv-1/5000000002' });
    expect(await get('pay_old_crypto_wait')).toMatchObject({ status: 'pending', externalRef: 'inv-2' });
    expect(await get('pay_old_crashed')).toMatchObject({ status: 'pending', ledgerEntryId: null });

    // The SDK's one place to credit knows them: a replayed old callback and the crashed approval move the wallet right.
    expect(await kit.payments.applySignal('crypto', { externalRef: 'inv-1', kind: 'paid', settlementRef: '5000000001' })).toMatchObject({
      outcome: 'already_credited',
    });
    expect(await kit.payments.applySignal('crypto', { externalRef: 'inv-1', kind: 'paid', settlementRef: '5000000002' })).toMatchObject({
      outcome: 'already_credited',
    });
    expect(await kit.payments.approve({ paymentId: 'pay_old_card_ok', actor: { type: 'admin', id: 'acc_admin' } })).toMatchObject({
      outcome: 'already_credited',
    });
    expect(await storage.ledger.balance(buyer, 'USD')).toBe(balance);
    expect(await kit.payments.approve({ paymentId: 'pay_old_crashed', actor: { type: 'admin', id: 'acc_admin' } })).toMatchObject({
      outcome: 'credited',
    });
    expect(await storage.ledger.balance(buyer, 'USD')).toBe(balance + 400);
    // The card receipt's reference stays used.
    expect(
      await kit.payments.start({ customerId: buyer, providerId: 'card', amount: { amount: 1, currency: 'USD' }, externalRef: 'rcpt2' }),
    ).toMatchObject({
      ok: false,
      reason: 'duplicate',
    });

    expect(await hasLegacyPayments(client, SHOP)).toBe(true);
    await migrateShop(client, SCHEMA, clock.now());
    expect(await hasLegacyPayments(client, SHOP)).toBe(false);
    expect(await carryOverLegacyPayments(client, SHOP, { kit, ledger: storage.ledger }, clock.now())).toEqual({
      read: 0,
      imported: 0,
      failed: [],
    });
  });
});
