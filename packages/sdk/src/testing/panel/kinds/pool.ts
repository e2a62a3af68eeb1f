import { expect } from 'vitest';
import { expectPanelError, getExisting } from '../support.js';
import type { KindEnv } from './kind-env.js';
import { addressesOf, expectKindClient, kindCase } from './kind-env.js';

async function poolOf(k: KindEnv): Promise<{ capacity: number; free: number } | undefined> {
  const targets = await k.base.adapter.listTargets(k.base.ctx());
  return targets.find((t) => t.remoteRef === k.target.remoteRef)?.pool;
}

/** A WireGuard target's address pool (registered for WireGuard-like kinds only): exhaustion, release on delete, a preferred address. */
export function poolCases(k: KindEnv): void {
  kindCase(
    k,
    'a full pool is a PanelPoolExhaustedError, not retryable, that creates nothing; a delete frees an address for it',
    async (context) => {
      const fill = k.base.controls.fillPool;
      context.skip(fill === undefined, 'the panel cannot fill a pool (no fillPool control)');
      const keepSpec = k.spec();
      const keep = await k.create(keepSpec);
      await fill!.call(k.base.controls, k.target, 0);
      const before = await k.addresses();
      const pool = await poolOf(k);
      if (pool !== undefined) expect(pool.free, 'the pool reports no free address').toBe(0);

      const late = k.spec();
      await expectPanelError(k.base, k.base.adapter.createClients(k.target, [late], k.base.ctx()), 'PanelPoolExhaustedError', false);
      expect(await k.base.controls.countClients(late.identity.username)).toBe(0);
      expect(await k.addresses()).toEqual(before);
      const kept = await getExisting(k.base, keep.ref);
      expectKindClient(k, kept, keepSpec);
      expect(addressesOf(kept)).toEqual(addressesOf(keep));

      await k.base.adapter.deleteClient(keep.ref, k.base.ctx());
      const created = await k.create(late);
      expectKindClient(k, created, late);
      expect(addressesOf(created), 'the address the delete freed').toEqual(addressesOf(keep));
    },
  );

  kindCase(k, "a delete gives the peer's address back to the pool", async () => {
    const created = await k.create();
    const poolBefore = await poolOf(k);
    await k.base.adapter.deleteClient(created.ref, k.base.ctx());
    await k.base.adapter.deleteClient(created.ref, k.base.ctx());
    expect(await k.base.controls.countClients(created.ref.username)).toBe(0);
    const taken = await k.addresses();
    if (taken !== null) for (const address of addressesOf(created)) expect(taken, `${address} is free again`).not.toContain(address);
    const poolAfter = await poolOf(k);
    if (poolBefore !== undefined && poolAfter !== undefined) expect(poolAfter.free).toBe(poolBefore.free + 1);
  });

  kindCase(k, 'a free preferred address is the one given', async (context) => {
    context.skip(k.base.panel.honoursPreferredAddresses !== true, 'the panel allocates whatever address is asked for');
    const [first, second] = await k.base.adapter.createClients(k.target, [k.spec(), k.spec(), k.spec()], k.base.ctx());
    await k.base.adapter.deleteClient(first!.ref, k.base.ctx());
    await k.base.adapter.deleteClient(second!.ref, k.base.ctx());
    // Both are free now: a panel that ignored the wish would give the lowest, which need not be the second's.
    const wished = addressesOf(second!);
    const spec = k.spec({ wireguard: { preferredAddresses: wished } });
    const created = await k.create(spec);
    expectKindClient(k, created, spec);
    expect(addressesOf(created)).toEqual(wished);
  });
}
