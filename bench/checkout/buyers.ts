/**
 * The buyers of `bench/checkout`, forked by `main.ts` as their own process so the load generator's
 * CPU (fetch, JSON) is not charged to the shop's event loop. Gets one {@link BuyersJob} message,
 * answers one {@link BuyersResult} and exits. Not meant to be run by hand.
 */

/** What the parent asks for: each token buys `perBuyer` times; `parallel` runs the buyers at once, `serial` one request at a time. */
export interface BuyersJob {
  baseUrl: string;
  tokens: string[];
  planId: string;
  perBuyer: number;
  mode: 'parallel' | 'serial';
  /** Prefix of the idempotency keys (`<prefix>-<buyer>-<n>`), unique per run. */
  keyPrefix: string;
}

export interface BuyersResult {
  /** One per checkout: its key, the order the shop answered, and the latency seen by the buyer (request sent → body read). */
  checkouts: { key: string; orderId: string; ms: number }[];
  /** Requests that did not answer 201 with a fresh order: status and body. */
  failures: { key: string; status: number; body: string }[];
  wallMs: number;
  /** CPU this process spent (user + system), in ms. */
  cpuMs: number;
}

async function buyOnce(job: BuyersJob, token: string, key: string, result: BuyersResult): Promise<void> {
  const body = JSON.stringify({ items: [{ planId: job.planId, quantity: 1 }], idempotencyKey: key });
  const started = performance.now();
  const res = await fetch(`${job.baseUrl}/api/v1/checkout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  const parsed = res.status === 201 ? (JSON.parse(text) as { replayed: boolean; order: { id: string } }) : null;
  if (parsed === null || parsed.replayed) result.failures.push({ key, status: res.status, body: text.slice(0, 500) });
  else result.checkouts.push({ key, orderId: parsed.order.id, ms });
}

async function run(job: BuyersJob): Promise<BuyersResult> {
  const result: BuyersResult = { checkouts: [], failures: [], wallMs: 0, cpuMs: 0 };
  const key = (buyer: number, n: number) => `${job.keyPrefix}-${buyer}-${n}`;
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (job.mode === 'parallel') {
    await Promise.all(
      job.tokens.map(async (token, buyer) => {
        for (let n = 0; n < job.perBuyer; n++) await buyOnce(job, token, key(buyer, n), result);
      }),
    );
  } else {
    for (const [buyer, token] of job.tokens.entries()) {
      for (let n = 0; n < job.perBuyer; n++) await buyOnce(job, token, key(buyer, n), result);
    }
  }
  result.wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  result.cpuMs = (used.user + used.system) / 1000;
  return result;
}

process.once('message', (job: BuyersJob) => {
  run(job).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
