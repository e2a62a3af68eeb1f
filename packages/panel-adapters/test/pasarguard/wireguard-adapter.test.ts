/** The PasarGuard adapter's WireGuard side against the simulated panel (the contract runs in conformance.test.ts). */
import { PanelRejectedError, deriveRemoteIdentity } from '@panelkit/sdk';
import { PanelPoolExhaustedError } from '@panelkit/sdk/kinds';
import { capabilitiesFor, type ClientSpec, type TargetRef } from '@panelkit/sdk/adapter';
import type { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createPasarGuardAdapter } from '../../src/pasarguard/index.js';
import { DEFAULT_GROUPS } from '../../src/simulators/pasarguard/state.js';
import { server } from '../support/msw.js';
import { ALL_GROUP, ORIGIN, PASSWORD, ctx, raw, setup, spec, useMsw } from './setup.js';
import { SERVER_KEYS, WG_GROUP, wireGuardOptions } from './wireguard-setup.js';

useMsw();

const SECRET = 'pasarguard-test-identity-secret';
const MIXED_GROUP = { remoteRef: '4', protocol: 'mixed', remoteMeta: { groupId: 4 } };

function withMixedGroup(address?: string) {
  return wireGuardOptions(address, {
    groups: [
      ...DEFAULT_GROUPS,
      { name: 'WireGuard', inboundTags: ['wg0'], isDisabled: false },
      { name: 'Mixed', inboundTags: ['VLESS TCP REALITY', 'wg0'], isDisabled: false },
    ],
  });
}

function wgSpec(name: string, clock: ManualClock): ClientSpec {
  return { ...spec(name, clock), identity: deriveRemoteIdentity(name, 0, { secret: SECRET }, 'wireguard'), kind: 'wireguard' };
}

async function wgTarget(adapter: ReturnType<typeof setup>['adapter']): Promise<TargetRef> {
  return (await adapter.listTargets(ctx())).find((target) => target.remoteRef === WG_GROUP.remoteRef)!;
}

describe('pasarguard adapter: WireGuard', () => {
  it('declares xray and wireguard (no amneziawg); a WireGuard client starts on first use, counts traffic, has no device limit', () => {
    const { adapter } = setup();
    expect(Object.keys(adapter.capabilities.kinds ?? {})).toEqual(['xray', 'wireguard']);
    expect(capabilitiesFor(adapter.capabilities, 'wireguard')).toMatchObject({
      startOnFirstUse: true,
      countsTraffic: true,
      deviceLimit: false,
    });
    expect(capabilitiesFor(adapter.capabilities, 'amneziawg')).toBeNull();
  });

  it('lists each group with the kinds its tags reach, the core in remoteMeta and the pool; Xray-only groups as before', async () => {
    const { adapter } = setup(withMixedGroup('10.8.0.1/28'));
    const targets = await adapter.listTargets(ctx());
    const byName = Object.fromEntries(targets.map((target) => [target.name, target]));
    expect(byName['All inbounds']).toEqual({
      remoteRef: '1',
      name: 'All inbounds',
      protocol: 'mixed',
      enabled: true,
      clientCount: 0,
      remoteMeta: { groupId: 1 },
    });
    const core = { tag: 'wg0', publicKey: SERVER_KEYS.publicKey, listenPort: 51820, address: ['10.8.0.1/28'] };
    expect(byName.WireGuard).toMatchObject({
      kinds: ['wireguard'],
      remoteMeta: { groupId: 3, wireguard: [core] },
      pool: { capacity: 13, free: 13 },
    });
    expect(byName.Mixed).toMatchObject({ kinds: ['xray', 'wireguard'], remoteMeta: { groupId: 4, wireguard: [core] } });
  });

  it('creates a WireGuard client with its derived private key, reads it back with its kind, peer and wireguard:// links only', async () => {
    const { adapter, sim, clock } = setup(wireGuardOptions());
    const made = wgSpec('pg-wg-create', clock);
    const [client] = await adapter.createClients(await wgTarget(adapter), [made], ctx());
    expect(sim.user(made.identity.username)!.proxySettings.wireguard.private_key).toBe(made.identity.wireguard!.privateKey);
    expect(client).toMatchObject({
      kind: 'wireguard',
      wireguard: { publicKey: made.identity.wireguard!.publicKey, addresses: ['10.8.0.2/32'] },
    });
    // A fresh adapter has not listed the groups yet: it reads them to tell the kind.
    const fresh = createPasarGuardAdapter({ baseUrl: ORIGIN, auth: { username: 'owner', password: PASSWORD }, clock });
    expect(await fresh.getClient({ target: WG_GROUP, username: made.identity.username }, ctx())).toMatchObject({ kind: 'wireguard' });
    const links = await adapter.links(client!.ref, ctx());
    expect(links.shareLinks).toHaveLength(1);
    expect(links.shareLinks[0]).toMatch(/^wireguard:\/\//);
    const listed = (await adapter.listClients({}, ctx())).items.find((item) => item.ref.username === made.identity.username);
    expect(listed?.wireguard?.addresses).toEqual(['10.8.0.2/32']);
  });

  it('an Xray client of a group that also reaches the core is reported as Xray, and its links hold no wireguard:// link', async () => {
    const { adapter, sim, clock } = setup(withMixedGroup());
    const [client] = await adapter.createClients(MIXED_GROUP, [spec('pg-wg-mixed', clock)], ctx());
    expect(sim.user(client!.ref.username)!.proxySettings.wireguard.peer_ips).toHaveLength(1);
    expect(client!.kind).toBeUndefined();
    expect(client!.wireguard).toBeUndefined();
    expect((await adapter.getClient(client!.ref, ctx()))!.kind).toBeUndefined();
    const links = (await adapter.links(client!.ref, ctx())).shareLinks;
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^vless:\/\//);
  });

  it('updates send no proxy_settings, so the keys stay', async () => {
    const { adapter, clock } = setup(wireGuardOptions());
    const [client] = await adapter.createClients(await wgTarget(adapter), [wgSpec('pg-wg-put', clock)], ctx());
    const bodies: string[] = [];
    server.events.on('request:start', async ({ request }) => {
      if (request.method === 'PUT') bodies.push(await request.clone().text());
    });
    await adapter.updateClient(client!.ref, { trafficLimitBytes: 5 * 2 ** 30 }, ctx());
    await adapter.updateClient(client!.ref, { enabled: false }, ctx());
    await adapter.updateClient(client!.ref, { enabled: true, expiry: { type: 'after_first_use', durationMs: 86_400_000 } }, ctx());
    server.events.removeAllListeners();
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    for (const body of bodies) expect(JSON.parse(body)).not.toHaveProperty('proxy_settings');
    expect((await adapter.getClient(client!.ref, ctx()))!.wireguard?.publicKey).toBe(client!.wireguard?.publicKey);
  });

  it('a full subnet is a PanelPoolExhaustedError naming the target, and creates nothing', async () => {
    const { adapter, sim, clock } = setup(wireGuardOptions('10.8.0.1/30'));
    const target = await wgTarget(adapter);
    await adapter.createClients(target, [wgSpec('pg-wg-fill', clock)], ctx());
    const error = await adapter.createClients(target, [wgSpec('pg-wg-full', clock)], ctx()).catch((e: unknown) => e);
    expect(PanelPoolExhaustedError.is(error)).toBe(true);
    expect((error as PanelPoolExhaustedError).retryable).toBe(false);
    expect((error as PanelPoolExhaustedError).toJSON()).toMatchObject({ details: { remoteRef: '3' } });
    expect(sim.userCount).toBe(1);
  });

  it('a public key another user holds is a PanelRejectedError; a missing key is refused before any call', async () => {
    const { adapter, sim, clock } = setup(wireGuardOptions());
    const made = wgSpec('pg-wg-taken', clock);
    await raw('/api/user', {
      method: 'POST',
      json: {
        username: 'someone_else',
        group_ids: [3],
        proxy_settings: { wireguard: { private_key: made.identity.wireguard!.privateKey } },
      },
    });
    const target = await wgTarget(adapter);
    const error = await adapter.createClients(target, [made], ctx()).catch((e: unknown) => e);
    expect(PanelRejectedError.is(error)).toBe(true);
    expect(sim.user(made.identity.username)).toBeUndefined();
    const { wireguard: _, ...keyless } = made.identity;
    await expect(adapter.createClients(target, [{ ...made, identity: keyless }], ctx())).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(adapter.createClients(ALL_GROUP, [wgSpec('pg-wg-xray-target', clock)], ctx())).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
