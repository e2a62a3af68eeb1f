import { expect } from 'vitest';
import { bareRef, getExisting, listAll } from '../support.js';
import { expectKindLinks } from './kind-links.js';
import type { KindEnv } from './kind-env.js';
import { addressesOf, expectKindClient, isTelegramProxy, isWireGuardLike, kindCase } from './kind-env.js';

/** Targets, create and read back, links and listing of one kind. */
export function createCases(k: KindEnv): void {
  kindCase(k, 'the factory gives a target for the kind, and listTargets reports the kind there', async () => {
    const target = k.target;
    const listed = (await k.base.adapter.listTargets(k.base.ctx())).find((t) => t.remoteRef === target.remoteRef);
    expect(listed, `target ${target.remoteRef} is listed`).toBeDefined();
    expect(listed!.kinds ?? ['xray'], `target ${target.remoteRef} serves ${k.kind}`).toContain(k.kind);
    if (listed!.pool !== undefined) {
      const { capacity, free } = listed!.pool;
      expect(Number.isInteger(capacity) && Number.isInteger(free) && free >= 0 && free <= capacity, 'a pool of 0 ≤ free ≤ capacity').toBe(
        true,
      );
    }
    if (isTelegramProxy(k.kind)) expect(k.caps.mtproto?.secretForms.length ?? 0, 'the secret forms the panel writes').toBeGreaterThan(0);
    expect(k.caps.deviceLimit, 'a kind without countable devices has no device limit').toBe(false);
  });

  kindCase(k, 'creates a client that reads back with its kind and derived credentials, also by username', async () => {
    const spec = k.spec();
    const created = await k.create(spec);
    expectKindClient(k, created, spec);
    expect(created.ref.target.remoteRef).toBe(k.target.remoteRef);
    expectKindClient(k, await getExisting(k.base, created.ref), spec);
    const byName = await getExisting(k.base, bareRef(k.target, spec.identity.username));
    expectKindClient(k, byName, spec);
    if (isWireGuardLike(k.kind)) expect(addressesOf(byName)).toEqual(addressesOf(created));
    expect(await k.base.controls.countClients(spec.identity.username)).toBe(1);
  });

  kindCase(k, "gives links of the kind's form, the same with the create as from links", async () => {
    const specs = [k.spec(), k.spec()];
    const created = await k.base.adapter.createClients(k.target, specs, k.base.ctx());
    expect(created.map((c) => c.ref.username)).toEqual(specs.map((s) => s.identity.username));
    for (const [index, client] of created.entries()) {
      const links = await k.base.adapter.links(client.ref, k.base.ctx());
      expectKindLinks(k, links, specs[index]!, client);
      if (client.links !== undefined)
        expect(client.links.shareLinks, 'links given with the create are the ones read').toEqual(links.shareLinks);
    }
  });

  kindCase(k, 'two clients never share an address or a secret', async () => {
    const specs = [k.spec(), k.spec(), k.spec()];
    const created = await k.base.adapter.createClients(k.target, specs, k.base.ctx());
    if (isWireGuardLike(k.kind)) {
      const all = created.flatMap((client) => addressesOf(client));
      expect(new Set(all).size, 'each address given once').toBe(all.length);
      const taken = await k.addresses();
      if (taken !== null) for (const address of all) expect(taken.filter((a) => a === address)).toHaveLength(1);
    }
    if (isTelegramProxy(k.kind)) expect(new Set(created.map((c) => c.mtproto?.secret)).size).toBe(specs.length);
  });

  kindCase(k, 'listClients shows the client with its kind, and its usage where the kind counts traffic', async () => {
    const spec = k.spec();
    await k.create(spec);
    await k.base.controls.addTraffic(spec.identity.username, 1_000, 2_000);
    const { items } = await listAll(k.base);
    const listed = items.find((item) => item.ref.username === spec.identity.username);
    expect(listed, 'the client is listed').toBeDefined();
    expectKindClient(k, listed!, spec);
    if (k.caps.countsTraffic) expect(listed!.usedBytes).toBe(3_000);
    expect((await getExisting(k.base, listed!.ref)).kind).toBe(k.kind);
  });
}
