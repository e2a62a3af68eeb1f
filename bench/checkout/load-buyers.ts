/**
 * The buyers of `bench/checkout/load.ts`, forked as their own process so the load's CPU is not the shop's.
 * Gets one {@link LoadJob}, answers one {@link LoadResult} and exits. Not meant to be run by hand.
 */

/** Each token is one buyer who, until `durationMs` has passed, checks out, lists their subscriptions and opens the catalog page, in a loop. */
export interface LoadJob {
  baseUrl: string;
  tokens: string[];
  planId: string;
  durationMs: number;
  keyPrefix: string;
  /** Whether a checkout's 409 "sold out" is an expected answer (counted in `soldOut`) rather than an error. */
  soldOutIsAnswer: boolean;
}

/** One request: what it was, how it ended, how long the buyer waited (sent → body read). */
export interface LoadSample {
  kind: 'checkout' | 'subscriptions' | 'catalog';
  status: number;
  ms: number;
}

export interface LoadResult {
  samples: LoadSample[];
  /** Answers that were not the expected success (201 for a checkout, 200 otherwise): kind, status, body. */
  errors: Array<{ kind: LoadSample['kind']; status: number; body: string }>;
  /** Order ids the checkouts answered, one per 201. */
  orderIds: string[];
  /** Checkouts answered 409 sold out, when the job expects them. */
  soldOut: number;
  wallMs: number;
}

let soldOutIsAnswer = false;

async function timed(
  result: LoadResult,
  kind: LoadSample['kind'],
  expected: number,
  url: string,
  init: RequestInit,
): Promise<string | null> {
  const started = performance.now();
  let status = 0;
  let text = '';
  try {
    const res = await fetch(url, init);
    text = await res.text();
    status = res.status;
  } catch (error) {
    text = String(error);
  }
  result.samples.push({ kind, status, ms: performance.now() - started });
  if (status === 409 && kind === 'checkout' && soldOutIsAnswer && (text.includes('sold_out') || text.includes('soldOut'))) {
    result.soldOut++;
    return null;
  }
  if (status !== expected) {
    result.errors.push({ kind, status, body: text.slice(0, 300) });
    return null;
  }
  return text;
}

async function run(job: LoadJob): Promise<LoadResult> {
  const result: LoadResult = { samples: [], errors: [], orderIds: [], soldOut: 0, wallMs: 0 };
  soldOutIsAnswer = job.soldOutIsAnswer;
  const started = performance.now();
  const until = started + job.durationMs;
  await Promise.all(
    job.tokens.map(async (token, buyer) => {
      const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
      for (let n = 0; performance.now() < until; n++) {
        const body = JSON.stringify({ items: [{ planId: job.planId, quantity: 1 }], idempotencyKey: `${job.keyPrefix}-${buyer}-${n}` });
        const answer = await timed(result, 'checkout', 201, `${job.baseUrl}/api/v1/checkout`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body,
        });
        if (answer !== null) result.orderIds.push((JSON.parse(answer) as { order: { id: string } }).order.id);
        await timed(result, 'subscriptions', 200, `${job.baseUrl}/api/v1/subscriptions`, { headers });
        await timed(result, 'catalog', 200, `${job.baseUrl}/`, {});
      }
    }),
  );
  result.wallMs = performance.now() - started;
  return result;
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
