/**
 * The ideal of bench/rush's "p99 ÷ lone" on one target whose writes run one batch at a time (3x-ui v2.x): a model, not
 * a measurement. Buyers arrive at random (Poisson) at the rush's rate; a batch takes every buyer who arrived while the
 * batch ahead ran, and lasts a fixed overhead plus `requests` panel requests of the bench panel's latency (25–80 ms,
 * uniform, as `main.ts` serves them). A buyer's time is the fixed work before the batch, the wait for the batch ahead,
 * their own batch, and the fixed work after. The lone purchase is the same with no batch ahead, at the median latency.
 * So whatever the code, a buyer in the rush waits for a batch ahead: the ratio this prints is what no implementation
 * on one serial target beats. Figures: `bench/RESULTS.md` (## rush).
 *
 *   node --import tsx bench/rush/serial-ideal.ts
 */

const RATE_A_SECOND = 50; // 3 000 buyers a minute
const BUYERS = 200_000;

/** One panel request's latency as the bench's simulated panel serves it. */
const panelMs = () => 25 + Math.random() * 55;

function p99OfRush(requests: number, batchOverheadMs: number, beforeMs: number, afterMs: number): number {
  const arrivals: number[] = [];
  let t = 0;
  for (let i = 0; i < BUYERS; i++) {
    t += (-Math.log(Math.random()) / RATE_A_SECOND) * 1000;
    arrivals.push(t + beforeMs);
  }
  const times: number[] = [];
  let free = 0;
  for (let i = 0; i < BUYERS; ) {
    const start = Math.max(free, arrivals[i]!);
    let j = i;
    while (j < BUYERS && arrivals[j]! <= start) j++;
    let end = start + batchOverheadMs;
    for (let r = 0; r < requests; r++) end += panelMs();
    for (let q = i; q < j; q++) times.push(end + afterMs - (arrivals[q]! - beforeMs));
    free = end;
    i = j;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(BUYERS * 0.99)]!;
}

// Overheads from the traced runs (RESULTS): the lone buyer's work besides the panel ~25 ms; in the rush ~10 ms before
// the batch, ~25 ms after it, and the batch's own (claim, routing, writes) ~21 ms.
const LONE_OTHER_MS = 25;
for (const requests of [2, 1]) {
  const lone = requests * 52.5 + LONE_OTHER_MS;
  for (const overhead of [21, 12, 5]) {
    const p99 = p99OfRush(requests, overhead, 10, 25);
    console.log(
      `${requests} panel request(s) a batch, ${overhead} ms a batch besides them: lone ${lone.toFixed(0)} ms, rush p99 ${p99.toFixed(0)} ms, p99 ÷ lone ${(p99 / lone).toFixed(2)}×`,
    );
  }
}
