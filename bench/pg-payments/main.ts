/**
 * Crediting payments on PostgreSQL when every payment is confirmed several times at once (an admin's
 * mark-paid racing the gateway's callback, delivered twice), against each payment confirmed once.
 *
 *   node --conditions=@panelkit/source --import tsx bench/pg-payments/main.ts [--payments 400] [--confirmers 3] [--pool 8]
 *
 * Runs against PANELKIT_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) in a fresh
 * schema. Prints the wall time of each phase, confirmations and credits per second, and checks that the
 * ledger holds exactly one `top_up` per payment.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPanelkit, type PaymentProvider, type Panelkit } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    payments: { type: 'string', default: '400' },
    confirmers: { type: 'string', default: '3' },
    pool: { type: 'string', default: '8' },
  },
});
const count = Number(values.payments);
const confirmers = Number(values.confirmers);

const gateway: PaymentProvider = {
  id: 'crypto',
  capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false },
  maxPending: null,
  pendingTtlMs: null,
  open: async (request) => ({ externalRef: `inv-${request.paymentId}`, redirectUrl: null }),
  // The bench measures the SDK's side: the signal is taken as already authenticated.
  verify: async (payment) => ({ externalRef: payment.externalRef ?? '', kind: 'paid' }),
};

const pool = new pg.Pool({
  connectionString: process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: Number(values.pool),
});
const schema = `pk_bench_${randomBytes(5).toString('hex')}`;

async function invoices(kit: Panelkit, customerIds: string[]): Promise<{ id: string; externalRef: string }[]> {
  const made = [];
  for (let i = 0; i < count; i++) {
    const started = await kit.payments.start({
      customerId: customerIds[i % customerIds.length]!,
      providerId: 'crypto',
      amount: { amount: 800, currency: 'USD' },
    });
    if (!started.ok) throw new Error(started.reason);
    made.push({ id: started.payment.id, externalRef: started.payment.externalRef! });
  }
  return made;
}

async function main(): Promise<void> {
  const client = fromPgPool(pool);
  await migrate(client, { schema });
  const storage = createPostgresStorage({ client, schema });
  const kit = createPanelkit({
    storage,
    panels: () => {
      throw new Error('no panels');
    },
    policy: { identity: { secret: 'bench-payments-secret-0123456789', prefix: 'pk' } },
    payments: { providers: [gateway] },
  });
  try {
    const customers = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.customers.create({ email: `bench${i}@example.com` })));
    const ids = customers.map((c) => c.id);

    // Baseline: every payment confirmed once, all payments at once.
    const once = await invoices(kit, ids);
    let started = performance.now();
    await Promise.all(once.map((p) => kit.payments.applySignal('crypto', { externalRef: p.externalRef, kind: 'paid' })));
    const onceMs = performance.now() - started;

    // Racing: each payment confirmed by `confirmers` callers at once (mark-paid, then callbacks).
    const raced = await invoices(kit, ids);
    started = performance.now();
    const outcomes = await Promise.all(
      raced.flatMap((p) =>
        Array.from({ length: confirmers }, (_, i) =>
          i === 0
            ? kit.payments.markPaid({ paymentId: p.id, actor: { type: 'admin', id: 'bench' } }).then((r) => r.outcome)
            : kit.payments.applySignal('crypto', { externalRef: p.externalRef, kind: 'paid' }).then((r) => r.outcome),
        ),
      ),
    );
    const racedMs = performance.now() - started;

    const credited = outcomes.filter((o) => o === 'credited').length;
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".ledger_entries WHERE kind = 'top_up'`);
    const entries = rows[0].n as number;
    console.log(`payments per phase: ${count}, confirmers per payment: ${confirmers}, pool: ${values.pool}`);
    console.log(`once:  ${onceMs.toFixed(0)} ms, ${((count / onceMs) * 1000).toFixed(0)} credits/s`);
    console.log(
      `raced: ${racedMs.toFixed(0)} ms, ${(((count * confirmers) / racedMs) * 1000).toFixed(0)} confirmations/s, ` +
        `${((count / racedMs) * 1000).toFixed(0)} credits/s; credited ${credited} of ${count}`,
    );
    console.log(`ledger top_up entries: ${entries} (expected ${2 * count})`);
    if (credited !== count || entries !== 2 * count) throw new Error('a payment was credited other than once');
  } finally {
    await storage.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

await main();
