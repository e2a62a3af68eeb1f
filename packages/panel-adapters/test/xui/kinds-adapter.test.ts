/** The 3x-ui adapter's WireGuard (v3.4.2+) and MTProto (v3.5+) clients, against the simulator. */
import { deriveRemoteIdentity, PanelConflictError, PanelUnsupportedError, ValidationError } from '@panelkit/sdk';
import { PanelPoolExhaustedError, type EntitlementKind } from '@panelkit/sdk/kinds';
import { capabilitiesFor, kindsOf, type ClientSpec, type TargetRef } from '@panelkit/sdk/adapter';
import { describe, expect, it } from 'vitest';
import { calls, ctx, DAY, rig, useMsw } from './setup.js';

useMsw();

const DOMAIN = 'cdn.example.org';
const SERVER_KEY = Buffer.alloc(32, 5).toString('base64');

let sequence = 0;
function kindSpec(kind: EntitlementKind, overrides: Partial<ClientSpec> = {}): ClientSpec {
  sequence += 1;
  return {
    identity: deriveRemoteIdentity(`xui-kind-${sequence}`, 0, { secret: 'xui-kind-identity-secret', prefix: 'xk' }, kind),
    expiry: { type: 'at', at: new Date('2026-02-01T00:00:00Z') },
    trafficLimitBytes: 5_000_000,
    deviceLimit: 3,
    enabled: true,
    kind,
    ...overrides,
  };
}

function kindRig(version: string) {
  const r = rig({ version });
  const wg = r.sim.addInbound({ remark: 'WG', protocol: 'wireguard', port: 51820, settings: { secretKey: SERVER_KEY, mtu: 1420 } });
  const tg = r.sim.addInbound({ remark: 'TG', protocol: 'mtproto', port: 8443, settings: { fakeTlsDomain: DOMAIN } });
  const target = (id: number, protocol: string): TargetRef => ({ remoteRef: String(id), protocol, remoteMeta: { inboundId: id } });
  return { ...r, wg: target(wg.id, 'wireguard'), tg: target(tg.id, 'mtproto') };
}

describe('3x-ui kinds: capabilities and targets by version', () => {
  it('declares every kind before the version is known, then what the version provisions', async () => {
    const { adapter } = kindRig('3.6.x');
    expect(kindsOf(adapter.capabilities)).toEqual(['xray', 'wireguard', 'mtproto']);
    await adapter.listTargets(ctx());
    expect(kindsOf(adapter.capabilities)).toEqual(['xray', 'wireguard', 'mtproto']);
    expect(capabilitiesFor(adapter.capabilities, 'wireguard')).toMatchObject({ deviceLimit: false, enforcesExpiry: true });
    expect(capabilitiesFor(adapter.capabilities, 'mtproto')).toMatchObject({
      deviceLimit: false,
      startOnFirstUse: false,
      mtproto: { secretForms: ['ee'] },
    });
  });

  it.each([
    ['3.5.0', ['xray', 'wireguard', 'mtproto']],
    ['3.4.2', ['xray', 'wireguard']],
    ['3.4.1', ['xray']],
  ])('v%s provisions %o; targets of the others report no kind', async (version, kinds) => {
    const { adapter, wg, tg } = kindRig(version);
    const targets = await adapter.listTargets(ctx());
    expect(kindsOf(adapter.capabilities)).toEqual(kinds);
    const byRef = new Map(targets.map((t) => [t.remoteRef, t]));
    expect(byRef.get(wg.remoteRef)!.kinds).toEqual(kinds.includes('wireguard') ? ['wireguard'] : []);
    expect(byRef.get(tg.remoteRef)!.kinds).toEqual(kinds.includes('mtproto') ? ['mtproto'] : []);
    expect(targets.find((t) => t.protocol === 'vless')!.kinds).toEqual(['xray']);
  });

  it('a Gen A panel (v3.0.2) declares Xray only once probed', async () => {
    const { adapter } = rig({ version: '3.0.2' });
    await adapter.listTargets(ctx());
    expect(adapter.capabilities.kinds).toBeUndefined();
  });

  it("an older panel refuses a kind's create with PanelUnsupportedError and is left as it was", async () => {
    const { sim, adapter, wg } = kindRig('3.4.1');
    const spec = kindSpec('wireguard');
    await expect(adapter.createClients(wg, [spec], ctx())).rejects.toSatisfy((e) => PanelUnsupportedError.is(e));
    expect(calls(sim, 'POST /panel/api/clients/add')).toBe(0);
  });

  it('a WireGuard target has its pool counted from its clients (a /24 before v3.6, its /16 from v3.6), an MTProto one its domain', async () => {
    const { adapter, wg, tg } = kindRig('3.5.0');
    await adapter.createClients(wg, [kindSpec('wireguard'), kindSpec('wireguard')], ctx());
    const targets = await adapter.listTargets(ctx());
    expect(targets.find((t) => t.remoteRef === wg.remoteRef)!.pool).toEqual({ capacity: 254, free: 252 });
    expect(targets.find((t) => t.remoteRef === tg.remoteRef)!.remoteMeta).toMatchObject({ fakeTlsDomain: DOMAIN });
    const wide = kindRig('3.6.x');
    const wideTargets = await wide.adapter.listTargets(ctx());
    expect(wideTargets.find((t) => t.remoteRef === wide.wg.remoteRef)!.pool).toEqual({ capacity: 65_534, free: 65_534 });
  });

  it('an MTProto inbound on a node reports no kind, and a create there is refused', async () => {
    const { sim, adapter } = kindRig('3.6.x');
    const remote = sim.addInbound({ remark: 'TG-node', protocol: 'mtproto', port: 9443, nodeId: 4, settings: { fakeTlsDomain: DOMAIN } });
    const targets = await adapter.listTargets(ctx());
    expect(targets.find((t) => t.remoteRef === String(remote.id))!.kinds).toEqual([]);
    const target = { remoteRef: String(remote.id), protocol: 'mtproto', remoteMeta: {} };
    await expect(adapter.createClients(target, [kindSpec('mtproto')], ctx())).rejects.toSatisfy((e) => PanelUnsupportedError.is(e));
  });
});

describe('3x-ui kinds: WireGuard clients', () => {
  it('sends the derived private key; reads back the kind, the public key and the address; links are wireguard://', async () => {
    const { sim, adapter, wg } = kindRig('3.5.0');
    const spec = kindSpec('wireguard');
    const [created] = await adapter.createClients(wg, [spec], ctx());
    expect(sim.client(spec.identity.username)).toMatchObject({ privateKey: spec.identity.wireguard!.privateKey, limitIp: 0 });
    expect(created).toMatchObject({
      kind: 'wireguard',
      wireguard: { publicKey: spec.identity.wireguard!.publicKey, addresses: ['10.0.0.2/32'] },
      deviceLimit: null,
    });
    expect(created!.links!.shareLinks).toHaveLength(1);
    expect(created!.links!.shareLinks[0]).toMatch(
      /^wireguard:\/\/.+@vpn\.example\.test:51820\?address=10\.0\.0\.2%2F32&mtu=1420&publickey=/,
    );
    expect(await adapter.getClient(created!.ref, ctx())).toMatchObject({ kind: 'wireguard', wireguard: created!.wireguard });
  });

  it('asks for the preferred addresses when given', async () => {
    const { adapter, wg } = kindRig('3.5.0');
    const [created] = await adapter.createClients(
      wg,
      [kindSpec('wireguard', { wireguard: { preferredAddresses: ['10.0.0.77/32'] } })],
      ctx(),
    );
    expect(created!.wireguard!.addresses).toEqual(['10.0.0.77/32']);
  });

  it('the same spec twice is one peer with one address; an email held with another key is a conflict', async () => {
    const { sim, adapter, wg } = kindRig('3.5.0');
    const spec = kindSpec('wireguard');
    await adapter.createClients(wg, [spec], ctx());
    const [again] = await adapter.createClients(wg, [spec], ctx());
    expect(again!.wireguard!.addresses).toEqual(['10.0.0.2/32']);
    expect(await sim.peerAddresses(wg)).toEqual(['10.0.0.2/32']);
    const other = kindSpec('wireguard');
    const rival = kindSpec('wireguard', { identity: { ...other.identity, username: spec.identity.username, subId: spec.identity.subId } });
    await expect(adapter.createClients(wg, [rival], ctx())).rejects.toSatisfy((e) => PanelConflictError.is(e));
    expect(sim.client(spec.identity.username)!.privateKey).toBe(spec.identity.wireguard!.privateKey);
  });

  it('a full pool is PanelPoolExhaustedError, not retryable, and creates nothing (one client or a batch)', async () => {
    const { sim, adapter, wg } = kindRig('3.5.0');
    await sim.fillPool(wg, 0);
    const spec = kindSpec('wireguard');
    const error = await adapter.createClients(wg, [spec], ctx()).catch((e: unknown) => e);
    expect(PanelPoolExhaustedError.is(error)).toBe(true);
    expect((error as PanelPoolExhaustedError).retryable).toBe(false);
    expect(await sim.countClients(spec.identity.username)).toBe(0);
    const batch = await adapter.createClients(wg, [kindSpec('wireguard'), kindSpec('wireguard')], ctx()).catch((e: unknown) => e);
    expect(PanelPoolExhaustedError.is(batch)).toBe(true);
  });

  it('updates, disable, enable and reset keep the keys and the address (read-modify-write, allowedIPs as an array)', async () => {
    const { sim, adapter, wg } = kindRig('3.6.x');
    const spec = kindSpec('wireguard');
    const [created] = await adapter.createClients(wg, [spec], ctx());
    await adapter.updateClient(
      created!.ref,
      { expiry: { type: 'at', at: new Date(Date.parse('2026-03-01T00:00:00Z') + DAY) }, enabled: false },
      ctx(),
    );
    await adapter.updateClient(created!.ref, { enabled: true, trafficLimitBytes: 9_000_000 }, ctx());
    await adapter.resetUsage(created!.ref, ctx());
    const back = await adapter.getClient(created!.ref, ctx());
    expect(back).toMatchObject({ enabled: true, trafficLimitBytes: 9_000_000, wireguard: created!.wireguard });
    expect(sim.client(spec.identity.username)!.privateKey).toBe(spec.identity.wireguard!.privateKey);
  });

  it('a WireGuard spec on an Xray inbound, or an Xray spec on a WireGuard inbound, is refused before any write', async () => {
    const { sim, adapter, wg, targets } = kindRig('3.6.x');
    await expect(adapter.createClients(targets.vless, [kindSpec('wireguard')], ctx())).rejects.toSatisfy((e) => ValidationError.is(e));
    await expect(adapter.createClients(wg, [kindSpec('xray')], ctx())).rejects.toSatisfy((e) => ValidationError.is(e));
    expect(calls(sim, 'POST /panel/api/clients/add')).toBe(0);
  });
});

describe('3x-ui kinds: MTProto clients', () => {
  it('sends ee + the derived core + hex(domain); reads back the kind and secret; the link is tg://proxy', async () => {
    const { sim, adapter, tg } = kindRig('3.5.0');
    const spec = kindSpec('mtproto');
    const secret = `ee${spec.identity.mtproto!.secretCore}${Buffer.from(DOMAIN).toString('hex')}`;
    const [created] = await adapter.createClients(tg, [spec], ctx());
    expect(sim.client(spec.identity.username)!.secret).toBe(secret);
    expect(created).toMatchObject({ kind: 'mtproto', mtproto: { secret }, deviceLimit: null });
    expect(created!.links!.shareLinks).toEqual([`tg://proxy?port=8443&secret=${secret}&server=vpn.example.test`]);
    expect(await sim.canConnect(spec.identity.username)).toBe(true);
  });

  it('an inbound whose domain cannot make an ee secret is refused before any write (never a plain or dd secret)', async () => {
    const { sim, adapter } = kindRig('3.6.x');
    const bad = sim.addInbound({ remark: 'TG-bad', protocol: 'mtproto', port: 9444, settings: { fakeTlsDomain: 'not a domain!' } });
    const target = { remoteRef: String(bad.id), protocol: 'mtproto', remoteMeta: {} };
    await expect(adapter.createClients(target, [kindSpec('mtproto')], ctx())).rejects.toSatisfy((e) => ValidationError.is(e));
    expect(calls(sim, 'POST /panel/api/clients/add')).toBe(0);
  });

  it('an email held with another secret core is a conflict; updates keep the secret', async () => {
    const { adapter, tg } = kindRig('3.6.x');
    const spec = kindSpec('mtproto');
    const [created] = await adapter.createClients(tg, [spec], ctx());
    const rival = kindSpec('mtproto');
    const taken = kindSpec('mtproto', { identity: { ...rival.identity, username: spec.identity.username, subId: spec.identity.subId } });
    await expect(adapter.createClients(tg, [taken], ctx())).rejects.toSatisfy((e) => PanelConflictError.is(e));
    await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    await adapter.updateClient(created!.ref, { enabled: true }, ctx());
    expect((await adapter.getClient(created!.ref, ctx()))!.mtproto).toEqual(created!.mtproto);
  });

  it('listClients reports each client with its kind', async () => {
    const { adapter, wg, tg, targets } = kindRig('3.6.x');
    const specs = [kindSpec('wireguard'), kindSpec('mtproto'), kindSpec('xray')];
    await adapter.createClients(wg, [specs[0]!], ctx());
    await adapter.createClients(tg, [specs[1]!], ctx());
    await adapter.createClients(targets.vless, [specs[2]!], ctx());
    const page = await adapter.listClients({}, ctx());
    const kindOf = (username: string) => page.items.find((c) => c.ref.username === username)?.kind ?? 'xray';
    expect(specs.map((s) => kindOf(s.identity.username))).toEqual(['wireguard', 'mtproto', 'xray']);
  });
});
