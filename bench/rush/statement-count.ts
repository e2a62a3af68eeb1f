/**
 * Statements a bench/rush replica sends to PostgreSQL, counted at the `pg` driver (every `Client.query`: a
 * transaction's `BEGIN` and `COMMIT` count, as in `bench/scale/orders-cost.ts`) and told apart by what they were for:
 * the webhook update they served (the bench names each tap in the `x-bench-step` header), the shop's host job whose
 * handler sent them (`job <type>`), or else the background (the engine's claims, provisioning, completions and polls).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { RequestListener } from 'node:http';

/** Statements by what they were for, then by their first words. */
export type StatementCounts = Record<string, Record<string, number>>;

const context = new AsyncLocalStorage<string>();
const counts: StatementCounts = {};

/** What a statement is for: the words that name it, with its literals and parameters left out. */
function shapeOf(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/"[^"]*"\./g, '')
    .trim()
    .slice(0, 70);
}

/** Starts counting every statement of the shop's `pg` in this process. */
export function countStatements(): void {
  // The `pg` the shop's pool is made of (pnpm gives each package its own resolution).
  const pg = createRequire(new URL('../../examples/shop/package.json', import.meta.url))('pg') as {
    Client: { prototype: { query: (...args: unknown[]) => unknown } };
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
    const label = context.getStore() ?? 'background';
    const byText = (counts[label] ??= {});
    const shape = shapeOf(text);
    byText[shape] = (byText[shape] ?? 0) + 1;
    return query.apply(this, args);
  };
}

/** Runs `fn` with its statements counted under `label`. */
export function countedAs<T>(label: string, fn: () => T): T {
  return context.run(label, fn);
}

/** The web app's listener, its statements counted under the request's `x-bench-step` header (else `web`). */
export function countedRequests(listener: RequestListener): RequestListener {
  return (request, response) => {
    const step = request.headers['x-bench-step'];
    countedAs(typeof step === 'string' ? `tap ${step}` : 'web', () => listener(request, response));
  };
}

/** The counts so far (a copy). */
export function statementCounts(): StatementCounts {
  return structuredClone(counts);
}
