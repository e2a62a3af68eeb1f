/**
 * S-UI reads: the token envelope, the lossy client list, bulk usage, links and subscription URLs.
 */
import {
  PanelAuthError,
  PanelNotFoundError,
  PanelRejectedError,
  PanelServerError,
  PanelUnsupportedError,
  ValidationError,
} from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { envelopeError } from '../../src/sui/api.js';
import { DAY, ORIGIN, TOKEN, calls, ctx, rig, spec, useMsw } from './setup.js';

useMsw();

const context = { panelKind: 's-ui', operation: 'test' };

describe('S-UI adapter: token and envelope', () => {
  it('sends the Token header; a refused token (HTTP 200, ": invalid token") is a PanelAuthError after one request', async () => {
    const { sim, adapter, target } = rig();
    const [client] = await adapter.createClients(target, [spec()], ctx());
    sim.expireSession();
    sim.resetRequestCounts();
    const error = await adapter.getClient(client!.ref, ctx()).catch((e: unknown) => e);
    expect(PanelAuthError.is(error)).toBe(true);
    expect((error as PanelAuthError).retryable).toBe(false);
    expect(sim.requests.total).toBe(1);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(sim.loginCount()).toBe(0);
  });

  it('a token issued afterwards is not known to the adapter: configuration, not a loop', async () => {
    const { sim, adapter } = rig();
    sim.expireSession();
    sim.addToken('another-token-entirely-000000');
    const report = await adapter.health(ctx());
    expect(report.ok).toBe(false);
    expect(report.message).toMatch(/token/);
  });

  it('maps the panel messages to the taxonomy', () => {
    expect(PanelAuthError.is(envelopeError(': invalid token\n', context))).toBe(true);
    const missing = envelopeError('save: record not found', context);
    expect(PanelNotFoundError.is(missing) && !missing.retryable).toBe(true);
    expect(PanelUnsupportedError.is(envelopeError('save: unknown action: editbulk', context))).toBe(true);
    const json = envelopeError('save: unexpected end of JSON input', context);
    expect(PanelRejectedError.is(json) && !json.retryable).toBe(true);
    const other = envelopeError('save: failed to update users for inbounds: sing-box down', context);
    expect(PanelServerError.is(other) && other.retryable).toBe(true);
    expect(other.message).not.toMatch(/\n/);
  });
});

describe('S-UI adapter: the lossy client list', () => {
  it('a start-on-first-use client reads as such from listClients, not as never expiring', async () => {
    const { sim, adapter, target } = rig();
    const held = spec({ expiry: { type: 'after_first_use', durationMs: 14 * DAY } });
    const never = spec({ expiry: { type: 'never' } });
    await adapter.createClients(target, [held, never], ctx());
    const { items } = await adapter.listClients({}, ctx());
    const byName = new Map(items.map((item) => [item.ref.username, item]));
    expect(byName.get(held.identity.username)!.expiry).toEqual(held.expiry);
    expect(byName.get(held.identity.username)!.panelStatus).toBe('on_hold');
    expect(byName.get(never.identity.username)!.expiry).toEqual({ type: 'never' });
    expect(sim.client(held.identity.username)!.delayStart).toBe(true);
  });

  it('on v1.2/1.3 (no delayStart column) the list is taken as it is, with no extra reads', async () => {
    const { sim, adapter, target } = rig({ sim: { version: '1.2.0' } });
    await adapter.createClients(target, [spec({ expiry: { type: 'never' } }), spec({ expiry: { type: 'never' } })], ctx());
    sim.resetRequestCounts();
    await adapter.listClients({}, ctx());
    expect(sim.requests.total).toBe(1);
  });

  it('getClient by name reads the full row (the list row hides delayStart)', async () => {
    const { adapter, target } = rig();
    const s = spec({ expiry: { type: 'after_first_use', durationMs: 7 * DAY } });
    await adapter.createClients(target, [s], ctx());
    const read = await adapter.getClient({ target, username: s.identity.username }, ctx());
    expect(read!.expiry).toEqual(s.expiry);
  });

  it('a remembered id that now holds another client falls back to the name', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    await adapter.createClients(target, [s], ctx());
    const other = sim.insertClient({ name: 'someone_else' });
    const read = await adapter.getClient({ target, username: s.identity.username, remoteClientId: String(other.id) }, ctx());
    expect(read!.ref.username).toBe(s.identity.username);
    expect(read!.ref.remoteClientId).not.toBe(String(other.id));
  });
});

describe('S-UI adapter: bulk usage', () => {
  it('a whole sweep of 20 000 clients in pages of 1 000 costs one panel call', async () => {
    const { sim, adapter } = rig();
    sim.seedClients(20_000);
    await sim.addTraffic('seed_12345', 11, 22);
    sim.resetRequestCounts();
    let cursor: string | null = null;
    let total = 0;
    let pages = 0;
    let seen: number | undefined;
    do {
      const page = await adapter.listClients({ cursor, limit: 1_000 }, ctx());
      total += page.items.length;
      pages += 1;
      seen ??= page.items.find((item) => item.ref.username === 'seed_12345')?.usedBytes;
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect([total, pages]).toEqual([20_000, 20]);
    expect(seen).toBe(33);
    expect(sim.requests.total).toBe(1);
  });

  it('a cursor whose snapshot is gone refetches and continues after the last id', async () => {
    const { sim, adapter } = rig();
    sim.seedClients(10);
    const first = await adapter.listClients({ limit: 4 }, ctx());
    const [snapshot, afterId] = first.nextCursor!.split('.');
    const foreign = `zz${snapshot!.slice(2)}.${afterId}`;
    sim.resetRequestCounts();
    const second = await adapter.listClients({ cursor: foreign, limit: 4 }, ctx());
    expect(calls(sim, 'GET apiv2/clients')).toBe(1);
    expect(second.items.map((item) => item.ref.username)).toEqual(['seed_4', 'seed_5', 'seed_6', 'seed_7']);
  });

  it('a garbled cursor is a ValidationError', async () => {
    const { adapter } = rig();
    await expect(adapter.listClients({ cursor: 'nope' }, ctx())).rejects.toSatisfy((error) => ValidationError.is(error));
  });
});

describe('S-UI adapter: links', () => {
  it('share links come from the client row; the subscription URL from subURI, port bug included', async () => {
    const { adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    const links = await adapter.links(client!.ref, ctx());
    expect(links.shareLinks).toHaveLength(1);
    expect(links.shareLinks[0]).toMatch(new RegExp(`^vless://${s.identity.uuid}@vpn\\.example\\.test:443\\?`));
    expect(links.subscriptionUrl).toBe(`http://vpn.example.test:2096/sub/${s.identity.username}`);
  });

  it('a configured subscription base URL wins and spares the load call', async () => {
    const { sim, adapter, target } = rig({ adapter: { subscriptionBaseUrl: 'https://sub.example.test/sub' } });
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    const links = await adapter.links(client!.ref, ctx());
    expect(links.subscriptionUrl).toBe(`https://sub.example.test/sub/${s.identity.username}`);
    expect(calls(sim, 'GET apiv2/load')).toBe(0);
  });

  it('the subscription URL serves the client (and 400s once it is disabled)', async () => {
    const { adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    const base = ORIGIN.replace(':2095', '');
    const sub = await fetch(`${base}:2095/sub/${s.identity.username}`);
    expect(sub.status).toBe(200);
    expect(Buffer.from(await sub.text(), 'base64').toString()).toContain(s.identity.uuid);
    await adapter.updateClient(client!.ref, { enabled: false }, ctx());
    expect((await fetch(`${base}:2095/sub/${s.identity.username}`)).status).toBe(400);
  });

  it('listTargets lists the inbounds that take users, with their client counts', async () => {
    const { adapter, target } = rig();
    await adapter.createClients(target, [spec(), spec()], ctx());
    const targets = await adapter.listTargets(ctx());
    const vless = targets.find((t) => t.remoteRef === '1')!;
    expect([vless.protocol, vless.name, vless.clientCount]).toEqual(['vless', 'vless-443', 2]);
  });

  it('a configured pre-1.4 version declares no start on first use and needs no probe', async () => {
    const { sim, adapter } = rig({ sim: { version: '1.3.6' }, adapter: { version: '1.3.6' } });
    expect(adapter.capabilities.startOnFirstUse).toBe(false);
    expect(rig({ adapter: { version: 'v1.4.0' } }).adapter.capabilities.startOnFirstUse).toBe(true);
    await expect(
      adapter.createClients(
        { remoteRef: '1', protocol: 'vless', remoteMeta: {} },
        [spec({ expiry: { type: 'after_first_use', durationMs: DAY } })],
        ctx(),
      ),
    ).rejects.toSatisfy((error) => PanelUnsupportedError.is(error));
    expect(calls(sim, 'GET apiv2/status')).toBe(0);
  });

  it('health reads the version and sing-box state', async () => {
    const { adapter } = rig({ sim: { version: '1.4.1' } });
    const report = await adapter.health(ctx());
    expect([report.ok, report.version]).toEqual([true, '1.4.1']);
  });
});
