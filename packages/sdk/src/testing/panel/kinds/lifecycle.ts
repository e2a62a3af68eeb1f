import { expect } from 'vitest';
import type { ClientRef, RemoteClient } from '../../../ports/panel.js';
import { DAY, GIB, expectExpiry, getExisting, inFuture } from '../support.js';
import type { KindEnv } from './kind-env.js';
import { credentialOf, expectOwnCredentials, kindCase } from './kind-env.js';
import { expectKindLinks } from './kind-links.js';

async function expectConnects(k: KindEnv, username: string, expected: boolean): Promise<void> {
  const can = await k.base.controls.canConnect?.(username);
  if (can !== undefined) expect(can, expected ? 'the client can connect' : 'the client cannot connect').toBe(expected);
}

/** Updates, disable, enable, reset and delete as the kind's capabilities allow; the credentials never move under the shop. */
export function lifecycleCases(k: KindEnv): void {
  kindCase(
    k,
    'keys never move: update, disable, enable and reset keep the credential (and the address where updates are in place)',
    async () => {
      const spec = k.spec();
      const created = await k.create(spec);
      const original = credentialOf(k, created);
      const expectKept = async (step: string, ref: ClientRef) => {
        const read: RemoteClient = await getExisting(k.base, ref);
        expectOwnCredentials(k, read, spec);
        const now = credentialOf(k, read);
        expect(now.key, `the credential after ${step}`).toBe(original.key);
        if (k.caps.inPlaceUpdate) expect(now.addresses, `the addresses after ${step}`).toEqual(original.addresses);
        expectKindLinks(k, await k.base.adapter.links(read.ref, k.base.ctx()), spec, read);
        return read;
      };
      let ref = (
        await k.base.adapter.updateClient(
          created.ref,
          { expiry: { type: 'at', at: inFuture(k.base.clock, 60 * DAY) }, trafficLimitBytes: 20 * GIB },
          k.base.ctx(),
        )
      ).ref;
      ref = (await expectKept('an update', ref)).ref;
      ref = (await k.base.adapter.updateClient(ref, { enabled: false }, k.base.ctx())).ref;
      ref = (await expectKept('a disable', ref)).ref;
      ref = (await k.base.adapter.updateClient(ref, { enabled: true }, k.base.ctx())).ref;
      ref = (await expectKept('an enable', ref)).ref;
      if (k.caps.resetUsage) {
        await k.base.adapter.resetUsage(ref, k.base.ctx());
        await expectKept('a usage reset', ref);
      }
    },
  );

  kindCase(k, 'updates expiry and limit, disables and enables, resets usage and deletes twice', async () => {
    const spec = k.spec();
    const created = await k.create(spec);
    await expectConnects(k, spec.identity.username, true);
    const at = inFuture(k.base.clock, 45 * DAY);
    await k.base.adapter.updateClient(created.ref, { expiry: { type: 'at', at }, trafficLimitBytes: 5 * GIB }, k.base.ctx());
    const updated = await getExisting(k.base, created.ref);
    expectExpiry(updated.expiry, { type: 'at', at });
    expect(updated.trafficLimitBytes).toBe(5 * GIB);
    expect(updated.enabled).toBe(true);

    await k.base.adapter.updateClient(updated.ref, { enabled: false }, k.base.ctx());
    expect((await getExisting(k.base, updated.ref)).enabled).toBe(false);
    await expectConnects(k, spec.identity.username, false);
    await k.base.adapter.updateClient(updated.ref, { enabled: true }, k.base.ctx());
    const enabled = await getExisting(k.base, updated.ref);
    expect(enabled.enabled).toBe(true);
    expectExpiry(enabled.expiry, { type: 'at', at });
    await expectConnects(k, spec.identity.username, true);

    if (k.caps.resetUsage && k.caps.countsTraffic) {
      await k.base.controls.addTraffic(spec.identity.username, 4_000, 6_000);
      expect((await getExisting(k.base, enabled.ref)).usedBytes).toBe(10_000);
      await k.base.adapter.resetUsage(enabled.ref, k.base.ctx());
      const reset = await getExisting(k.base, enabled.ref);
      expect(reset.usedBytes).toBe(0);
      expect(reset.enabled).toBe(true);
    }

    await k.base.adapter.deleteClient(enabled.ref, k.base.ctx());
    await k.base.adapter.deleteClient(enabled.ref, k.base.ctx());
    expect(await k.base.adapter.getClient(enabled.ref, k.base.ctx())).toBeNull();
    expect(await k.base.controls.countClients(spec.identity.username)).toBe(0);
  });
}
