import { describe, expect, it } from 'vitest';
import { PanelConflictError, PanelRejectedError, deriveRemoteIdentity } from '../../src/index.js';
import { PanelPoolExhaustedError } from '../../src/kinds.js';
import type { EntitlementKind } from '../../src/kinds.js';
import type { CallContext, ClientSpec, TargetRef } from '../../src/adapter.js';
import { FakePanelAdapter } from '../../src/testing/index.js';

const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: 'k' });
const SECRET = { secret: 'fake-panel-kinds-secret' };
const spec = (id: string, kind: EntitlementKind, over: Partial<ClientSpec> = {}, generation = 0): ClientSpec => ({
  identity: deriveRemoteIdentity(id, generation, SECRET, kind),
  kind,
  expiry: { type: 'never' },
  trafficLimitBytes: null,
  deviceLimit: null,
  enabled: true,
  ...over,
});
const wg: TargetRef = { remoteRef: 'wg', protocol: 'wireguard', remoteMeta: {} };
const mt: TargetRef = { remoteRef: 'mt', protocol: 'mtproto', remoteMeta: {} };
const small = () =>
  new FakePanelAdapter({
    targets: [
      { remoteRef: 'wg', kinds: ['wireguard'], pool: '10.8.0.0/29' },
      { remoteRef: 'mt', kinds: ['mtproto'] },
    ],
  });
const addressOf = async (fake: FakePanelAdapter, s: ClientSpec) =>
  (await fake.getClient({ target: wg, username: s.identity.username }, ctx()))?.wireguard?.addresses;

describe('FakePanelAdapter kinds', () => {
  it('is Xray only by default: no capabilities.kinds, no kinds on targets or clients', async () => {
    const fake = new FakePanelAdapter();
    expect(fake.capabilities.kinds).toBeUndefined();
    const [target] = await fake.listTargets(ctx());
    expect(target).toEqual({ remoteRef: '1', name: 'inbound 1', protocol: 'vless', enabled: true, clientCount: 0, remoteMeta: {} });
    const [client] = await fake.createClients(
      { remoteRef: '1', protocol: 'vless', remoteMeta: {} },
      [spec('x', 'xray', { kind: undefined })],
      ctx(),
    );
    expect(client!.kind).toBeUndefined();
    await expect(
      fake.createClients({ remoteRef: '1', protocol: 'vless', remoteMeta: {} }, [spec('w', 'wireguard')], ctx()),
    ).rejects.toSatisfy((e: unknown) => PanelRejectedError.is(e));
  });

  it('takes its kinds from its targets, declares the ee form for mtproto, and reports kinds and the pool', async () => {
    const fake = small();
    expect(Object.keys(fake.capabilities.kinds ?? {})).toEqual(['wireguard', 'mtproto']);
    expect(fake.capabilities.kinds?.mtproto?.mtproto?.secretForms).toEqual(['ee']);
    await fake.createClients(wg, [spec('a', 'wireguard')], ctx());
    const targets = await fake.listTargets(ctx());
    expect(targets.map((t) => [t.remoteRef, t.kinds, t.pool])).toEqual([
      ['wg', ['wireguard'], { capacity: 5, free: 4 }],
      ['mt', ['mtproto'], undefined],
    ]);
    expect(targets[0]!.remoteMeta).toMatchObject({ endpoint: 'fake.panel:51820', pool: '10.8.0.0/29' });
  });

  it('gives the lowest free address, skipping network, server and broadcast; a full pool refuses a whole batch', async () => {
    const fake = small();
    const five = ['a', 'b', 'c', 'd'].map((id) => spec(id, 'wireguard'));
    const created = await fake.createClients(wg, five, ctx());
    expect(created.map((c) => c.wireguard?.addresses)).toEqual([['10.8.0.2/32'], ['10.8.0.3/32'], ['10.8.0.4/32'], ['10.8.0.5/32']]);
    const two = [spec('e', 'wireguard'), spec('f', 'wireguard')];
    await expect(fake.createClients(wg, two, ctx())).rejects.toSatisfy((e: unknown) => PanelPoolExhaustedError.is(e) && !e.retryable);
    expect([fake.clientCount(), fake.created]).toEqual([4, 4]);
    await fake.createClients(wg, [two[0]!], ctx());
    expect(await addressOf(fake, two[0]!)).toEqual(['10.8.0.6/32']);
    await expect(fake.createClients(wg, [two[1]!], ctx())).rejects.toSatisfy((e: unknown) => PanelPoolExhaustedError.is(e));
  });

  it('frees an address on delete and honours a free preferred address, not a taken one', async () => {
    const fake = small();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => spec(id, 'wireguard'));
    await fake.createClients(wg, [a!, b!, c!], ctx());
    await fake.deleteClient({ target: wg, username: b!.identity.username }, ctx());
    const wish = spec('d', 'wireguard', { wireguard: { preferredAddresses: ['10.8.0.6'] } });
    await fake.createClients(wg, [wish], ctx());
    expect(await addressOf(fake, wish)).toEqual(['10.8.0.6/32']);
    const taken = spec('e', 'wireguard', { wireguard: { preferredAddresses: ['10.8.0.2/32'] } });
    await fake.createClients(wg, [taken], ctx());
    expect(await addressOf(fake, taken)).toEqual(['10.8.0.3/32']);
  });

  it('refuses a malformed key before changing anything, and adopts a username only with its own key', async () => {
    const fake = small();
    const good = spec('a', 'wireguard');
    const bad = spec('b', 'wireguard');
    const malformed = { ...bad, identity: { ...bad.identity, wireguard: { privateKey: 'AAAA', publicKey: 'AAAA' } } };
    await expect(fake.createClients(wg, [good, malformed], ctx())).rejects.toSatisfy((e: unknown) => PanelRejectedError.is(e));
    expect(fake.clientCount()).toBe(0);
    const [first] = await fake.createClients(wg, [good], ctx());
    const [again] = await fake.createClients(wg, [good], ctx());
    expect(again!.wireguard).toEqual(first!.wireguard);
    expect(first!.wireguard!.publicKey).toBe(good.identity.wireguard!.publicKey);
    await expect(fake.createClients(wg, [spec('a', 'wireguard', {}, 1)], ctx())).rejects.toSatisfy((e: unknown) =>
      PanelConflictError.is(e),
    );
    expect([fake.clientCount(), fake.created]).toEqual([1, 1]);
  });

  it('writes MTProto secrets as ee + core + hex(domain), links them as tg://proxy, and adopts only the same core', async () => {
    const fake = small();
    const s = spec('m', 'mtproto');
    const [client] = await fake.createClients(mt, [s], ctx());
    const core = s.identity.mtproto!.secretCore;
    const secret = `ee${core}${Buffer.from('www.example.com').toString('hex')}`;
    expect(client!.mtproto).toEqual({ secret });
    expect((await fake.links(client!.ref, ctx())).shareLinks).toEqual([`tg://proxy?port=443&secret=${secret}&server=fake.panel`]);
    await expect(fake.createClients(mt, [spec('m', 'mtproto', {}, 1)], ctx())).rejects.toSatisfy((e: unknown) => PanelConflictError.is(e));
  });

  it('links a WireGuard peer with its private key, the server key and its address; AmneziaWG keys only for amneziawg', async () => {
    const fake = new FakePanelAdapter({ kinds: ['wireguard', 'amneziawg'] });
    const plain = spec('p', 'wireguard');
    const awg = spec('q', 'amneziawg');
    const [p] = await fake.createClients({ ...wg, remoteRef: 'wg' }, [plain], ctx());
    const [q] = await fake.createClients({ ...wg, remoteRef: 'awg' }, [awg], ctx());
    const [plainLink] = (await fake.links(p!.ref, ctx())).shareLinks;
    const url = new URL(plainLink!);
    expect(decodeURIComponent(url.username)).toBe(plain.identity.wireguard!.privateKey);
    expect(url.searchParams.get('address')).toBe('10.8.0.2/32');
    expect(url.searchParams.get('publickey')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(url.searchParams.has('jc')).toBe(false);
    const awgUrl = new URL((await fake.links(q!.ref, ctx())).shareLinks[0]!);
    expect(awgUrl.searchParams.get('address')).toBe('10.9.0.2/32');
    expect(['jc', 'jmin', 'jmax', 's1', 's2', 'h1', 'h2', 'h3', 'h4'].every((key) => awgUrl.searchParams.has(key))).toBe(true);
  });

  it('a lost create answer for a peer leaves one client with one address; fillPool and peerAddresses see the pool', async () => {
    const fake = small();
    const s = spec('a', 'wireguard');
    fake.loseResponseNext('createClients');
    await expect(fake.createClients(wg, [s], ctx())).rejects.toThrow();
    await fake.createClients(wg, [s], ctx());
    expect(fake.peerAddresses('wg')).toEqual(['10.8.0.2/32']);
    await fake.controls.fillPool!(wg, 1);
    expect((await fake.listTargets(ctx()))[0]!.pool).toEqual({ capacity: 5, free: 1 });
    await fake.controls.fillPool!(wg, 3);
    expect(await fake.controls.peerAddresses!(wg)).toHaveLength(2);
    expect(fake.created).toBe(1);
  });
});
