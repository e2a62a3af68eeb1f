/**
 * The client apps of `bench/sublink/main.ts`, forked as their own process so the load's CPU is not the shop's.
 * Takes one {@link Step} at a time over IPC and answers its {@link StepResult}; exits when the parent disconnects.
 * A keep-alive `node:http` agent, one socket per concurrent app (each request carries another buyer's token and
 * its own device headers, which a fixed-request load tool would not vary). Not meant to be run by hand.
 */
import { Agent, request } from 'node:http';
import { headersFor } from './app-headers.js';

import type { StepKind } from './app-headers.js';

export type { StepKind } from './app-headers.js';

/** One step: `concurrency` apps, each asking for a random buyer's link until `durationMs` has passed. */
export interface Step {
  baseUrl: string;
  tokens: string[];
  kind: StepKind;
  concurrency: number;
  durationMs: number;
  /** The `Host` the apps send: the shop's shown address, as an app that imported the link asks it. */
  host: string;
  /**
   * Each answer's body must be base64 of exactly these share links; `null`: of share links (`scheme://…`) of any
   * value (Marzban picks a Reality sid/sni and host per read).
   */
  expectedLinks: string[] | null;
}

/** A step's figures, and every wrong answer it saw (status or body). */
export interface StepResult {
  requests: number;
  wallMs: number;
  p50: number;
  p99: number;
  max: number;
  /** How many answers were wrong; the first few of them in `errors`. */
  errorCount: number;
  errors: Array<{ status: number; body: string }>;
  /** `on` steps: how many distinct (buyer, device) pairs asked, over every `on` step so far. */
  devicesAsked: number;
}

const asked = new Set<string>();

function get(agent: Agent, url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => resolve({ status: 0, body: String(error) }));
    });
    req.on('error', (error) => resolve({ status: 0, body: String(error) }));
    req.end();
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number);
}

async function run(step: Step): Promise<StepResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: step.concurrency });
  const expected = step.expectedLinks?.join('\n') ?? null;
  const right = (links: string) =>
    expected === null ? links.split('\n').every((line) => /^[a-z0-9]+:\/\/\S+$/.test(line)) : links === expected;
  const latencies: number[] = [];
  const errors: StepResult['errors'] = [];
  let errorCount = 0;
  const path = step.kind === 'floor' ? '/bench-floor/' : step.kind === 'marzban' ? '/sub/' : '/s/';
  const started = performance.now();
  const until = started + step.durationMs;
  const app = async () => {
    while (performance.now() < until) {
      const buyer = Math.floor(Math.random() * step.tokens.length);
      const device = Math.random() < 0.5 ? 'a' : 'b';
      const sent = performance.now();
      const headers = { host: step.host, ...headersFor(step.kind, buyer, device) };
      const answer = await get(agent, new URL(`${path}${step.tokens[buyer]}`, step.baseUrl), headers);
      latencies.push(performance.now() - sent);
      // The right body kind: base64 of the subscription's real share links (not placeholders, not an error page).
      const links = answer.status === 200 ? Buffer.from(answer.body, 'base64').toString('utf8') : '';
      if (answer.status !== 200 || !right(links)) {
        errorCount++;
        if (errors.length < 20) errors.push({ status: answer.status, body: answer.body.slice(0, 200) });
      }
      if (step.kind === 'on') asked.add(`${buyer}:${device}`);
    }
  };
  await Promise.all(Array.from({ length: step.concurrency }, app));
  const wallMs = performance.now() - started;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    wallMs,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    errorCount,
    errors,
    devicesAsked: asked.size,
  };
}

process.on('message', (step: Step) => {
  void run(step).then((result) => process.send?.(result));
});
process.on('disconnect', () => process.exit(0));
