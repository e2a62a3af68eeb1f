/**
 * What keeping the figures costs a checkout, on the seeded schema: `buyers` buyers at once, each `kit.checkout` of one
 * plan `perBuyer` times in a row (bench/checkout's sdk-32 run), in rounds that alternate the figures' inbox triggers
 * on and off (`ALTER TABLE … DISABLE TRIGGER`), so both see the same machine load. Per round: throughput, p50, the
 * statements and transactions the storage sent per checkout (counted on the client: a trigger runs inside its
 * statement, so the count must not move), PostgreSQL backends' CPU per checkout, and after a round with the triggers
 * on, one `kit.figures.foldNow()` whose statements are spread over the round's checkouts (the fold's amortised cost).
 * A first round, not reported, warms the connections and caches.
 */
import type { Panelkit } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { SqlClient } from '@panelkit/storage-postgres';
import type { StatementCount } from '../scale/counting-client.js';
import { databaseBackendsCpu } from '../scale/machine.js';

/** The tables migration 39 hangs inbox triggers on, and each one's trigger names. */
const MARKED = {
  ledger_entries: ['figure_mark'],
  orders: ['figure_mark', 'figure_mark_update'],
  subscriptions: ['figure_mark', 'figure_mark_update'],
  campaign_attributions: ['figure_mark'],
  referrals: ['figure_mark'],
  payments: ['figure_mark_update'],
  customers: ['figure_mark_update'],
  gifts: ['figure_mark_update'],
  audit_events: ['figure_mark'],
} as const;

/** Turns the figures' inbox triggers on or off. */
export async function setFigureTriggers(db: SqlClient, schema: string, on: boolean): Promise<void> {
  for (const [table, triggers] of Object.entries(MARKED))
    for (const trigger of triggers) await db.query(`ALTER TABLE "${schema}".${table} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${trigger}`);
}

/** One round's figures. */
export interface CheckoutRound {
  triggers: boolean;
  checkouts: number;
  perSecond: number;
  p50: number;
  statements: number;
  transactions: number;
  pgCpuUs: number;
  /** Inbox rows the round left (0 with the triggers off). */
  marked: number;
  /** The fold after the round: statements per checkout of the round, and buyers folded. */
  foldStatements: number | null;
  foldBuyers: number | null;
}

/** What the rounds need: the kit and storage on the counting client, its count, the plain client, the database name. */
export interface CheckoutCostRig {
  kit: Panelkit;
  storage: StoragePort;
  count: StatementCount;
  db: SqlClient;
  schema: string;
  database: string;
  planId: string;
  price: { amount: number; currency: string };
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Runs `rounds` rounds, alternating on and off (on first), each with fresh funded buyers; checks every checkout made an order. */
export async function checkoutRounds(rig: CheckoutCostRig, rounds: number, buyers: number, perBuyer: number): Promise<CheckoutRound[]> {
  const out: CheckoutRound[] = [];
  // Round -1 warms the pool, the plan caches and the JIT (triggers off), and is not reported.
  for (let round = -1; round < rounds; round++) {
    const on = round >= 0 && round % 2 === 0;
    await setFigureTriggers(rig.db, rig.schema, on);
    const ids: string[] = [];
    for (let i = 0; i < buyers; i++) {
      const customer = await rig.storage.customers.create({ email: `round${round}-${i}@bench.example` });
      await rig.kit.topUp({
        customerId: customer.id,
        amount: { amount: rig.price.amount * perBuyer, currency: rig.price.currency },
        idempotencyKey: `fund-${round}-${i}`,
      });
      ids.push(customer.id);
    }
    await rig.db.query(`DELETE FROM "${rig.schema}".figure_inbox`);
    const times: number[] = [];
    const pgBefore = databaseBackendsCpu(rig.database);
    Object.assign(rig.count, { statements: 0, transactions: 0 });
    const started = performance.now();
    await Promise.all(
      ids.map(async (customerId, b) => {
        for (let n = 0; n < perBuyer; n++) {
          const t = performance.now();
          const done = await rig.kit.checkout({
            customerId,
            items: [{ planId: rig.planId, quantity: 1 }],
            idempotencyKey: `r${round}-${b}-${n}`,
            actor: { type: 'customer', id: customerId },
          });
          if (done.replayed) throw new Error('a checkout was replayed');
          times.push(performance.now() - t);
        }
      }),
    );
    const wall = performance.now() - started;
    const n = times.length;
    const statements = rig.count.statements / n;
    const transactions = rig.count.transactions / n;
    let pgCpu = 0;
    for (const [pid, s] of databaseBackendsCpu(rig.database)) pgCpu += s - (pgBefore.get(pid) ?? 0);
    const orders = await rig.db.query(`SELECT count(*)::int AS n FROM "${rig.schema}".orders WHERE customer_id = ANY($1::text[])`, [ids]);
    if (Number(orders.rows[0]!['n']) !== buyers * perBuyer) throw new Error(`round ${round}: ${orders.rows[0]!['n']} orders`);
    const marked = Number((await rig.db.query(`SELECT count(*)::int AS n FROM "${rig.schema}".figure_inbox`)).rows[0]!['n']);
    if (on !== marked > 0) throw new Error(`round ${round}: triggers ${on ? 'on' : 'off'} but ${marked} inbox rows`);
    let foldStatements: number | null = null;
    let foldBuyers: number | null = null;
    if (on) {
      Object.assign(rig.count, { statements: 0, transactions: 0 });
      const report = await rig.kit.figures.foldNow();
      if (report.pending !== 0) throw new Error(`round ${round}: the fold left ${report.pending}`);
      foldStatements = rig.count.statements / n;
      foldBuyers = report.buyers;
    }
    if (round < 0) continue;
    out.push({
      triggers: on,
      checkouts: n,
      perSecond: (n / wall) * 1000,
      p50: percentile(times, 0.5),
      statements,
      transactions,
      pgCpuUs: (pgCpu * 1e6) / n,
      marked,
      foldStatements,
      foldBuyers,
    });
  }
  await setFigureTriggers(rig.db, rig.schema, true);
  return out;
}
