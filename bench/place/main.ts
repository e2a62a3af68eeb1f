/**
 * bench/place: the JavaScript part of storage-postgres's `orders.place` alone (no database): validating a wallet
 * checkout's placement (`parsePlacement`), building its rows, sealing the new subscription's credentials and collecting
 * the statement's parameters, with a stand-in connection that answers every placement as written. A checkout as the
 * shop's lone buyer makes it: one plan, one subscription, a debit, a provisioning job, two audit events.
 *
 * Prints the median over `--rounds` of µs a call (`process.cpuUsage`, user + system) over `--n` calls each.
 *
 *   node --conditions=@panelkit/source --import tsx bench/place/main.ts [--n 20000] [--rounds 7] [--no-box]
 */
import { parseArgs } from 'node:util';
import { createId, createSecretBox, deriveRemoteIdentity, generateSecretKey, systemClock } from '@panelkit/sdk';
import type { OrderPlacement } from '@panelkit/sdk/storage';
import { orderPlacement } from '../../packages/storage-postgres/src/repositories/order-placement.js';
import type { Runner } from '../../packages/storage-postgres/src/internal/runner.js';
import type { SqlQueryable } from '../../packages/storage-postgres/src/client.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '7' },
    'no-box': { type: 'boolean', default: false },
  },
});

const row = { cust: '1', funded: '1', p0: '1', t0: '1', targets: [['tgt_1', 5, 100]], balance: '500' };
const db = { query: async () => ({ rows: [row] }) } as unknown as SqlQueryable;
const runner: Runner = { run: (_label, fn) => fn({ db, now: new Date() }) };
const secretBox = args['no-box'] ? undefined : createSecretBox([generateSecretKey('k1')]);
const { place } = orderPlacement({ runner, schema: '"bench_place"', clock: systemClock, leaseClock: 'database', secretBox });

const identity = { secret: 'bench-place-secret-0123456789', prefix: 'pk' };

/** A lone buyer's checkout: one plan of 30 days, its price paid from the wallet. */
function checkout(): OrderPlacement {
  const customerId = createId('cus');
  const orderId = createId('ord');
  const id = createId('sub');
  const actor = { type: 'customer' as const, id: customerId };
  const price = { amount: 500, currency: 'USD' };
  return {
    order: {
      id: orderId,
      customerId,
      items: [{ planId: 'pln_basic', quantity: 1, unitPrice: price, trial: false }],
      total: price,
      idempotencyKey: `tg:${createId('key')}`,
      requestHash: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    },
    debit: { customerId, kind: 'purchase', amount: -500, currency: 'USD', idempotencyKey: `purchase:${orderId}`, orderId, actor },
    subscriptions: [
      {
        id,
        customerId,
        orderId,
        planId: 'pln_basic',
        panelId: 'pnl_1',
        targetId: 'tgt_1',
        remote: deriveRemoteIdentity(id, 0, identity, 'xray'),
        trafficLimitBytes: 50_000_000_000,
        expiresAt: null,
        durationDays: 30,
        startOnFirstUse: false,
        deviceLimit: 3,
        autoRenew: false,
        trial: false,
        terms: {
          price,
          durationDays: 30,
          trafficBytes: 50_000_000_000,
          deviceLimit: 3,
          noHwidPolicy: 'serve',
          renewable: true,
          startOnFirstUse: false,
          extension: { windowDays: 3, trafficOnExtend: 'replace', daysOnExtend: 'stack', price: null },
          trafficTopUp: null,
          devicePack: null,
          built: null,
          kinds: ['xray'],
        },
        bundleId: null,
        kind: 'xray',
      },
    ],
    jobs: [
      {
        type: 'subscription.provision',
        payload: { subscriptionId: id, price, round: 0 },
        dedupeKey: `subscription.provision:${id}`,
        maxAttempts: 6,
        batchKey: 'provision|target:tgt_1',
      },
    ],
    audit: [
      { actor, action: 'order.placed', subjectType: 'order', subjectId: orderId, data: { total: 500, currency: 'USD' } },
      { actor, action: 'subscription.ordered', subjectType: 'subscription', subjectId: id, data: { orderId, targetId: 'tgt_1' } },
    ],
  };
}

const n = Number(args.n);
const placements = Array.from({ length: n }, checkout);
const figures: number[] = [];
for (let round = 0; round < Number(args.rounds); round++) {
  const start = process.cpuUsage();
  for (const p of placements) {
    const result = await place(p);
    if (!result.ok) throw new Error('a placement was refused');
  }
  const used = process.cpuUsage(start);
  figures.push((used.user + used.system) / n);
}
figures.sort((a, b) => a - b);
console.log(
  `place (JS part): ${figures[Math.floor(figures.length / 2)]!.toFixed(1)} µs a call (rounds: ${figures.map((f) => f.toFixed(1)).join(' ')})`,
);
