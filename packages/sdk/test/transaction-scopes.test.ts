import { AsyncLocalStorage } from 'node:async_hooks';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createTransactionScopes } from '../src/storage-kit.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

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
  it.skipIf(typeof v8.queryObjects !== 'function')('uses no more AsyncLocalStorage instances however many sets run', async () => {
    const count = () => v8.queryObjects(AsyncLocalStorage, { format: 'count' }) as number;
    const before = count();
    for (let i = 0; i < 50; i++) {
      const scopes = createTransactionScopes<number>();
      await scopes.run(i, async () => scopes.current());
    }
    expect(count()).toBe(before);
  });
});
