import { expect } from 'vitest';
import type { PanelFault } from '../harness.js';
import { expectPanelError, getExisting, settleUnknownOutcome } from '../support.js';
import type { KindEnv } from './kind-env.js';
import { credentialOf, expectKindClient, isWireGuardLike, kindCase } from './kind-env.js';

/** The addresses in `after` that are not in `before` (both sorted lists, duplicates counted). */
function added(before: readonly string[], after: readonly string[]): string[] {
  const left = [...before];
  return after.filter((address) => {
    const at = left.indexOf(address);
    if (at === -1) return true;
    left.splice(at, 1);
    return false;
  });
}

/** A create that met `fault` after the panel applied it, settled as the engine would, ends with one client and one address. */
async function lostCreate(k: KindEnv, fault: Extract<PanelFault['kind'], 'lost_response' | 'lost_connection'>): Promise<void> {
  const spec = k.spec();
  const before = await k.addresses();
  k.base.controls.injectFault({ kind: fault, on: 'write' });
  const created = await settleUnknownOutcome(k.base, (ctx) => k.base.adapter.createClients(k.target, [spec], ctx));
  const pending = k.base.controls.pendingFaults?.();
  if (pending !== undefined) expect(pending, 'the injected fault never met a request').toBe(0);
  expect(created.map((c) => c.ref.username)).toEqual([spec.identity.username]);
  expectKindClient(k, created[0]!, spec);
  await k.create(spec);
  expect(await k.base.controls.countClients(spec.identity.username)).toBe(1);
  const read = await getExisting(k.base, created[0]!.ref);
  expectKindClient(k, read, spec);
  const after = await k.addresses();
  if (before !== null && after !== null && isWireGuardLike(k.kind)) {
    expect(added(before, after), 'one peer, with the addresses it reads back').toEqual(credentialOf(k, read).addresses);
  }
}

/** The create promise per kind: adopt what is ours, refuse a username that holds other credentials. */
export function idempotencyCases(k: KindEnv): void {
  kindCase(k, 'the same spec twice is one client with one address and the same credentials', async () => {
    const spec = k.spec();
    const before = await k.addresses();
    const first = await k.create(spec);
    const second = await k.create(spec);
    expectKindClient(k, second, spec);
    expect(credentialOf(k, second)).toEqual(credentialOf(k, first));
    expect(await k.base.controls.countClients(spec.identity.username)).toBe(1);
    const after = await k.addresses();
    if (before !== null && after !== null) expect(added(before, after)).toEqual(credentialOf(k, first).addresses);
  });

  kindCase(k, 'a create whose answer was lost after the panel applied it ends with one client and one address', async () => {
    await lostCreate(k, 'lost_response');
  });

  kindCase(k, 'a create whose connection dropped after the panel applied it ends with one client and one address', async () => {
    await lostCreate(k, 'lost_connection');
  });

  kindCase(k, 'a username that exists with other credentials is a PanelConflictError and changes nothing', async () => {
    const spec = k.spec();
    const mine = await k.create(spec);
    const before = await k.addresses();
    const rival = k.rival(spec);
    await expectPanelError(k.base, k.base.adapter.createClients(k.target, [rival], k.base.ctx()), 'PanelConflictError', false);
    expect(await k.base.controls.countClients(spec.identity.username)).toBe(1);
    const read = await getExisting(k.base, mine.ref);
    expectKindClient(k, read, spec);
    expect(credentialOf(k, read)).toEqual(credentialOf(k, mine));
    expect(await k.addresses()).toEqual(before);
  });
}
