import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTransactionScopes } from '../src/storage.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Runs `body` with every `AsyncLocalStorage.prototype.run` call counted; the instances that ran. */
async function alsRuns(body: () => Promise<void>): Promise<Set<AsyncLocalStorage<unknown>>> {
  const used = new Set<AsyncLocalStorage<unknown>>();
  const run = AsyncLocalStorage.prototype.run;
  AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
    used.add(this);
    return run.apply(this, args);
  } as typeof run;
  try {
    await body();
  } finally {
    AsyncLocalStorage.prototype.run = run;
  }
  return used;
}

describe('createTransactionScopes', () => {
  it('finds the scope of the innermost run from anything it awaits, and none outside', async () => {
    const scopes = createTransactionScopes<string>();
    expect(scopes.current()).toBeUndefined();
    const seen = await scopes.run('outer', async () => {
      await tick();
      const inner = await scopes.run('inner', async () => {
        await tick();
        return scopes.current();
      });
      return [inner, scopes.current()];
    });
    expect(seen).toEqual(['inner', 'outer']);
    expect(scopes.current()).toBeUndefined();
  });

  it("keeps each set's scope apart: one storage's transaction is invisible to another's, nested or concurrent", async () => {
    const a = createTransactionScopes<string>();
    const b = createTransactionScopes<string>();
    const nested = await a.run('a1', () => b.run('b1', async () => [a.current(), b.current()]));
    expect(nested).toEqual(['a1', 'b1']);
    const concurrent = await Promise.all([
      a.run('a2', async () => {
        await tick();
        return [a.current(), b.current()];
      }),
      b.run('b2', async () => {
        await tick();
        return [a.current(), b.current()];
      }),
    ]);
    expect(concurrent).toEqual([
      ['a2', undefined],
      [undefined, 'b2'],
    ]);
  });

  // Node 20's AsyncLocalStorage calls every enabled instance for each promise, and keeps an enabled one alive
  // and enabled until disable(): one per storage would leave the process slower for every storage it ever made.
  // (Counted through `run`, restored at once: v8.queryObjects would walk a test worker's whole heap.)
  it('runs every set on one and the same AsyncLocalStorage', async () => {
    const used = await alsRuns(async () => {
      for (let i = 0; i < 20; i++) {
        const scopes = createTransactionScopes<number>();
        expect(await scopes.run(i, async () => scopes.current())).toBe(i);
      }
    });
    expect(used.size).toBe(1);
  });
});

// Untracked, no AsyncLocalStorage runs: its promise hooks would tax every promise of a production server (issue 93).
describe('createTransactionScopes, untracked', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('with track: false, runs the callback for its value, finds no scope and runs no AsyncLocalStorage', async () => {
    const used = await alsRuns(async () => {
      const scopes = createTransactionScopes<string>({ track: false });
      const seen = await scopes.run('outer', async () => {
        await tick();
        return ['inside', scopes.current()];
      });
      expect(seen).toEqual(['inside', undefined]);
    });
    expect(used.size).toBe(0);
  });

  it('is untracked by default under NODE_ENV=production, and tracked under any other NODE_ENV', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const production = createTransactionScopes<string>();
    expect(await production.run('tx', async () => production.current())).toBeUndefined();
    vi.stubEnv('NODE_ENV', 'development');
    const development = createTransactionScopes<string>();
    expect(await development.run('tx', async () => development.current())).toBe('tx');
    expect(await createTransactionScopes<string>({ track: true }).run('tx', async () => 'ran')).toBe('ran');
  });
});
