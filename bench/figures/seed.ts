/**
 * bench/figures' rows: three years of a shop seeded with `INSERT … SELECT generate_series` into one migrated schema,
 * every value derived from a hash of the row's number (the same rows on every run of one size).
 *
 * One "slot" is one checkout: an order, its subscription (30 % trials of 3 days, free; 5 % of the paid ones a bundle
 * of two parts on two panels), for a paid one a gateway top-up (a payment on one of 4 providers, 0.5 % reversed) and
 * its purchase debit, then an `extension` debit per monthly renewal (renewed with probability 0.8 each month until it
 * lapses or now comes; 60 % of subscriptions renew by the scheduler, the rest by hand), 2 % refunded in full three days
 * after purchase (terminated then), 1 % a plan change (a debit, the unit moved to another plan). Customers: 10 % in
 * one of 10 storefronts, 20 % with a campaign attribution, 5 % referred, 2 % gift claimers (the giver's purchase
 * debit names the gift). Timestamps are whole seconds, as a JavaScript `Date` keeps them exactly.
 */
import type { SqlClient } from '@panelkit/storage-postgres';
import type { Plan } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';

/** What the seed made, for the bench's report. */
export interface SeededShop {
  customers: number;
  subscriptions: number;
  ledgerEntries: number;
  orders: number;
  payments: number;
  seedMs: number;
}

/** The instant the bench's clock stands at: three years of history end here. */
export const BENCH_NOW = new Date('2026-11-29T00:00:00.000Z');
/** Where the history starts: 36 months before {@link BENCH_NOW}. */
export const HISTORY_START = new Date('2023-11-29T00:00:00.000Z');

/** The paid plans: price and currency (the third sells in EUR, so every figure is per currency). */
const PAID_PLANS = [
  { name: 'monthly-50', price: 500, currency: 'USD' },
  { name: 'monthly-200', price: 1200, currency: 'USD' },
  { name: 'monthly-eu', price: 1900, currency: 'EUR' },
] as const;
const LOCATIONS = [['de'], ['nl'], ['fi'], ['us', 'ca']] as const;
const PROVIDERS = ['stripe', 'nowpayments', 'zarinpal', 'manual_card'] as const;

/**
 * Seeds `subscriptions` subscriptions (about; bundles add a part) and 0.4 × as many customers into `schema`, with the
 * figures' inbox triggers and the foreign keys off (`session_replication_role = replica` on the seeding connection).
 */
export async function seedShop(db: SqlClient, schema: string, storage: StoragePort, subscriptions: number): Promise<SeededShop> {
  const started = performance.now();
  const s = `"${schema}"`;
  const panels: { panel: string; target: string }[] = [];
  for (const [i, tags] of LOCATIONS.entries()) {
    const panel = await storage.panels.create({
      kind: 'marzban',
      name: `p${i}`,
      baseUrl: `https://p${i}.example.com`,
      credentials: { type: 'token', token: 't' },
      locationTags: [...tags],
    });
    const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: `t${i}`, protocol: 'vless' });
    panels.push({ panel: panel.id, target: target.id });
  }
  const plans: Plan[] = [];
  for (const p of PAID_PLANS)
    plans.push(
      await storage.plans.create({
        name: p.name,
        family: 'monthly',
        price: { amount: p.price, currency: p.currency },
        durationDays: 30,
        trafficBytes: null,
      }),
    );
  const trialPlan = await storage.plans.create({
    name: 'trial',
    family: 'trial-3d',
    price: { amount: 500, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
    trial: { days: 3, trafficBytes: null },
  });
  for (let i = 1; i <= 10; i++) {
    const reseller = await storage.customers.create({ email: `reseller${i}@bench.example` });
    await storage.storefronts.create({ id: `sf_${i}`, resellerId: reseller.id, name: `storefront ${i}` });
  }
  const slots = Math.round(subscriptions / 1.035);
  const customers = Math.max(20, Math.round(subscriptions * 0.4));

  await db.transaction(async (tx) => {
    const q = (text: string, params: unknown[] = []) => tx.query(text, params);
    await q(`SET LOCAL session_replication_role = replica`);
    await q(`SET LOCAL work_mem = '256MB'`);
    await q(`SET LOCAL search_path = ${s}, pg_catalog`);
    // r(g, salt): a uniform number in [0, 1) from a hash, so a size seeds the same rows every time.
    await q(`CREATE FUNCTION ${s}.bench_r(g bigint, salt integer) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT (hashint8(g * 64 + salt) & 2147483647)::float8 / 2147483648 $$`);
    const span = `(timestamptz '${BENCH_NOW.toISOString()}' - timestamptz '${HISTORY_START.toISOString()}')`;
    const at = (r: string) => `date_trunc('second', timestamptz '${HISTORY_START.toISOString()}' + ${r} * ${span})`;
    await q(
      `INSERT INTO ${s}.customers (id, email, locale, created_at, updated_at)
       SELECT 'cus_' || lpad(c::text, 8, '0'), NULL, 'en', ${at('bench_r(c, 40) * 0.9')}, ${at('0')}
         FROM generate_series(1, $1::integer) AS c`,
      [customers],
    );
    await q(`UPDATE ${s}.customers SET storefront_id = 'sf_' || (1 + (substr(id, 5)::integer / 10) % 10)
              WHERE id LIKE 'cus_0%' AND substr(id, 5)::integer % 10 = 0`);
    await q(
      `INSERT INTO ${s}.campaign_attributions (customer_id, campaign, attributed_at)
       SELECT 'cus_' || lpad(c::text, 8, '0'), 'spring-' || (c % 7), ${at('bench_r(c, 41)')}
         FROM generate_series(1, $1::integer) AS c WHERE c % 5 = 1`,
      [customers],
    );
    await q(
      `INSERT INTO ${s}.referrals (referred_id, referrer_id, status, created_at, updated_at)
       SELECT 'cus_' || lpad(c::text, 8, '0'), 'cus_' || lpad((c - 1)::text, 8, '0'), 'pending', ${at('bench_r(c, 42)')}, ${at('bench_r(c, 42)')}
         FROM generate_series(2, $1::integer) AS c WHERE c % 20 = 2`,
      [customers],
    );

    // The checkouts, one row a slot, as a scratch table the inserts below read.
    await q(
      `CREATE UNLOGGED TABLE ${s}.bench_slots AS
       SELECT g, 'cus_' || lpad(((hashint8(g) & 2147483647) % $2::integer + 1)::text, 8, '0') AS customer_id,
              trial, t0, panel, plan,
              CASE WHEN trial OR refunded THEN 0
                   ELSE least(floor(ln(1 - bench_r(g, 5)) / ln(0.8)), floor(extract(epoch FROM timestamptz '${BENCH_NOW.toISOString()}' - t0) / 2592000))::integer
              END AS renewals,
              refunded, NOT trial AND NOT refunded AND bench_r(g, 9) < 0.01 AND t0 + interval '10 days' < timestamptz '${BENCH_NOW.toISOString()}' AS plan_changed,
              NOT trial AND bench_r(g, 8) < 0.05 AS bundle, bench_r(g, 7) < 0.6 AS auto, bench_r(g, 10) < 0.005 AS reversed,
              1 + floor(bench_r(g, 11) * 4)::integer AS provider
         FROM (SELECT g, bench_r(g, 1) < 0.3 AS trial, ${at('bench_r(g, 2) * 0.9995')} AS t0,
                      1 + floor(bench_r(g, 4) * 4)::integer AS panel, 1 + floor(bench_r(g, 3) * 3)::integer AS plan,
                      bench_r(g, 1) >= 0.3 AND bench_r(g, 6) < 0.02 AS refunded
                 FROM generate_series(1, $1::integer) AS g) AS x`,
      [slots, customers],
    );
    const planIds = `(ARRAY[${plans.map((p) => `'${p.id}'`).join(',')}]::text[])`;
    const prices = `(ARRAY[${PAID_PLANS.map((p) => p.price).join(',')}]::bigint[])`;
    const currencies = `(ARRAY[${PAID_PLANS.map((p) => `'${p.currency}'`).join(',')}]::text[])`;
    const panelIds = `(ARRAY[${panels.map((p) => `'${p.panel}'`).join(',')}]::text[])`;
    const targetIds = `(ARRAY[${panels.map((p) => `'${p.target}'`).join(',')}]::text[])`;
    const price = `CASE WHEN x.trial THEN 0 ELSE ${prices}[x.plan] END`;
    const currency = `CASE WHEN x.trial THEN 'USD' ELSE ${currencies}[x.plan] END`;
    const now = `timestamptz '${BENCH_NOW.toISOString()}'`;
    await q(
      `INSERT INTO ${s}.orders (id, customer_id, status, items, total_amount, total_currency, idempotency_key, request_hash, ledger_entry_id, created_at, updated_at)
       SELECT 'ord_' || x.g, x.customer_id, 'completed', '[]', ${price}, ${currency}, 'k' || x.g, 'h',
              CASE WHEN x.trial THEN NULL ELSE 'led_p_' || x.g END, x.t0, x.t0
         FROM ${s}.bench_slots x`,
    );
    // A subscription's end: 30 days a period (3 for a trial), terminated at its refund, expired when that end passed.
    const ends = `CASE WHEN x.trial THEN x.t0 + interval '3 days' ELSE x.t0 + (x.renewals + 1) * interval '30 days' END`;
    const status = `CASE WHEN x.refunded THEN 'terminated' WHEN ${ends} <= ${now} THEN 'expired' ELSE 'active' END`;
    const changedAt = `CASE WHEN x.refunded THEN x.t0 + interval '3 days' WHEN ${ends} <= ${now} THEN ${ends} ELSE x.t0 + interval '1 minute' END`;
    for (const [suffix, panel, bundleOnly] of [
      ['', 'x.panel', false],
      ['_b', '1 + x.panel % 4', true],
    ] as const) {
      await q(
        `INSERT INTO ${s}.subscriptions (id, customer_id, order_id, plan_id, panel_id, target_id, status, status_changed_at, remote,
           traffic_limit_bytes, used_bytes, expires_at, activated_at, duration_days, start_on_first_use, share_links, auto_renew, trial,
           notices, revision, created_at, updated_at, bundle_id)
         SELECT 'sub_' || x.g || '${suffix}', x.customer_id, 'ord_' || x.g,
                CASE WHEN x.trial THEN '${trialPlan.id}' WHEN x.plan_changed THEN ${planIds}[1 + x.plan % 3] ELSE ${planIds}[x.plan] END,
                ${panelIds}[${panel}], ${targetIds}[${panel}], ${status}, ${changedAt},
                jsonb_build_object('username', 'pk_' || x.g || '${suffix}', 'uuid', '00000000-0000-4000-8000-000000000000',
                  'password', 'passwordpassword0', 'subId', 'abcdefghijklmnop', 'ssKey', repeat('a', 44), 'generation', 0),
                NULL, 0, ${ends}, x.t0 + interval '1 minute', CASE WHEN x.trial THEN 3 ELSE 30 END, false, '[]', x.auto, x.trial,
                '[]', 0, x.t0, x.t0, CASE WHEN x.bundle THEN 'bun_' || x.g END
           FROM ${s}.bench_slots x ${bundleOnly ? 'WHERE x.bundle' : ''}`,
      );
    }
    const entry = (
      kind: string,
      id: string,
      amount: string,
      createdAt: string,
      more: { order?: string; sub?: string; actor?: string; from?: string; where?: string } = {},
    ) =>
      q(
        `INSERT INTO ${s}.ledger_entries (id, customer_id, kind, amount, currency, idempotency_key, order_id, subscription_id, actor, balance_after, created_at)
         SELECT ${id}, x.customer_id, '${kind}', ${amount}, ${currency}, ${id}, ${more.order ?? 'NULL'}, ${more.sub ?? 'NULL'},
                ${more.actor ?? `jsonb_build_object('type', 'customer', 'id', x.customer_id)`}, 0, ${createdAt}
           FROM ${more.from ?? `${s}.bench_slots x`} WHERE NOT x.trial ${more.where ?? ''}`,
      );
    await entry('top_up', `'led_t_' || x.g`, `${price} * (x.renewals + 1)`, `x.t0 - interval '1 minute'`);
    await entry('purchase', `'led_p_' || x.g`, `-${price}`, 'x.t0', { order: `'ord_' || x.g` });
    await entry('extension', `'led_e_' || x.g || '_' || k`, `-${price}`, `x.t0 + k * interval '30 days'`, {
      sub: `'sub_' || x.g`,
      actor: `CASE WHEN x.auto THEN '{"type":"scheduler","id":null}'::jsonb ELSE jsonb_build_object('type', 'customer', 'id', x.customer_id) END`,
      from: `${s}.bench_slots x CROSS JOIN LATERAL generate_series(1, x.renewals) AS k`,
    });
    await entry('refund', `'led_r_' || x.g`, price, `x.t0 + interval '3 days'`, { order: `'ord_' || x.g`, where: 'AND x.refunded' });
    await entry('plan_change', `'led_c_' || x.g`, '-300', `x.t0 + interval '10 days'`, {
      sub: `'sub_' || x.g`,
      where: 'AND x.plan_changed',
    });
    await entry('payment_reversal', `'led_v_' || x.g`, `-${price}`, `x.t0 + interval '2 days'`, { where: 'AND x.reversed' });
    await q(
      `INSERT INTO ${s}.payments (id, customer_id, provider_id, amount, currency, status, external_ref, details, ledger_entry_id,
         reversal_entry_id, created_at, updated_at)
       SELECT 'pay_' || x.g, x.customer_id, (ARRAY[${PROVIDERS.map((p) => `'${p}'`).join(',')}])[x.provider], ${price} * (x.renewals + 1),
              ${currency}, CASE WHEN x.reversed THEN 'reversed' ELSE 'credited' END, 'ext_' || x.g, '{}', 'led_t_' || x.g,
              CASE WHEN x.reversed THEN 'led_v_' || x.g END, x.t0 - interval '2 minutes', x.t0
         FROM ${s}.bench_slots x WHERE NOT x.trial`,
    );
    // Gift claimers: another customer bought the gift (a purchase debit naming it) the day before it was claimed.
    await q(
      `INSERT INTO ${s}.gifts (id, code, giver_id, plan_id, price_amount, price_currency, idempotency_key, status, created_at, expires_at, claimed_by, claimed_at)
       SELECT 'gft_' || c, 'code' || c, 'cus_' || lpad((c - 2)::text, 8, '0'), '${plans[0]!.id}', 500, 'USD', 'g' || c, 'claimed',
              ${at('bench_r(c, 43)')}, ${at('bench_r(c, 43)')} + interval '30 days', 'cus_' || lpad(c::text, 8, '0'), ${at('bench_r(c, 43)')} + interval '1 day'
         FROM generate_series(3, $1::integer) AS c WHERE c % 50 = 3`,
      [customers],
    );
    await q(
      `INSERT INTO ${s}.ledger_entries (id, customer_id, kind, amount, currency, idempotency_key, reference, actor, balance_after, created_at)
       SELECT 'led_g_' || g.id, g.giver_id, 'purchase', -500, 'USD', 'led_g_' || g.id, g.id, jsonb_build_object('type', 'customer', 'id', g.giver_id), 0, g.created_at
         FROM ${s}.gifts g`,
    );
    await q(`DROP TABLE ${s}.bench_slots`);
    await q(`DROP FUNCTION ${s}.bench_r(bigint, integer)`);
  });
  for (const table of ['customers', 'orders', 'ledger_entries', 'subscriptions', 'payments', 'campaign_attributions', 'referrals', 'gifts'])
    await db.query(`VACUUM ANALYZE ${s}.${table}`);
  const count = async (table: string) => Number((await db.query(`SELECT count(*)::bigint AS n FROM ${s}.${table}`)).rows[0]!['n']);
  return {
    customers: await count('customers'),
    subscriptions: await count('subscriptions'),
    ledgerEntries: await count('ledger_entries'),
    orders: await count('orders'),
    payments: await count('payments'),
    seedMs: performance.now() - started,
  };
}
