/**
 * S-UI write paths, one test per quirk the adapter handles (each fails without its handling).
 */
import { PanelNotFoundError, PanelUnsupportedError } from '@panelkit/sdk';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { SUI_CONFIG_KEYS } from '../../src/sui/index.js';
import { DAY, GIB, ORIGIN, calls, ctx, rig, server, spec, useMsw } from './setup.js';

useMsw();

describe('S-UI adapter: writes', () => {
  it('saves through the form-encoded save with object, action and a JSON data string', async () => {
    const { sim, adapter, target } = rig();
    const forms: Record<string, string>[] = [];
    server.events.on('request:start', async ({ request }) => {
      if (request.method === 'POST') forms.push(Object.fromEntries(new URLSearchParams(await request.clone().text())));
    });
    const s = spec();
    await adapter.createClients(target, [s], ctx());
    server.events.removeAllListeners();
    expect(forms).toHaveLength(1);
    expect(forms[0]!.object).toBe('clients');
    expect(forms[0]!.action).toBe('new');
    expect(JSON.parse(forms[0]!.data!).name).toBe(s.identity.username);
    expect(sim.client(s.identity.username)).toBeDefined();
  });

  it('fills every protocol key of config from the identity, names equal to the client name', async () => {
    const { sim, adapter, target } = rig({ sim: { version: '1.4.2' } });
    const s = spec();
    await adapter.createClients(target, [s], ctx());
    const row = sim.client(s.identity.username)!;
    expect(Object.keys(row.config).sort()).toEqual([...SUI_CONFIG_KEYS].sort());
    const { username, uuid, password, ssKey } = s.identity;
    expect(row.config.vless).toEqual({ name: username, uuid, flow: 'xtls-rprx-vision' });
    expect(row.config.vmess).toEqual({ name: username, uuid, alterId: 0 });
    expect(row.config.tuic).toEqual({ name: username, uuid, password });
    expect(row.config.trojan).toEqual({ name: username, password });
    expect(row.config.hysteria2).toEqual({ name: username, password });
    expect(row.config.hysteria).toEqual({ name: username, auth_str: password });
    expect(row.config.mixed).toEqual({ username, password });
    expect(row.config.naive).toEqual({ username, password });
    expect(row.config.shadowsocks).toEqual({ name: username, password: ssKey });
    const ss16 = Buffer.from(String(row.config.shadowsocks16!.password), 'base64');
    expect(ss16).toHaveLength(16);
    expect(ss16.equals(Buffer.from(ssKey, 'base64').subarray(0, 16))).toBe(true);
    // The panel built the link from these credentials.
    expect(row.links.some((link) => link.uri.startsWith(`vless://${uuid}@`))).toBe(true);
  });

  it('adopts a same-name client made outside the adapter instead of creating a duplicate', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const existing = sim.insertClient({ name: s.identity.username, expiry: 1_800_000_000, volume: 5 * GIB });
    const [client] = await adapter.createClients(target, [s], ctx());
    expect(await sim.countClients(s.identity.username)).toBe(1);
    expect(client!.ref.remoteClientId).toBe(String(existing.id));
    expect(client!.trafficLimitBytes).toBe(5 * GIB);
    expect(sim.saves).toBe(0);
  });

  it('writes expiry in unix seconds and volume in bytes', async () => {
    const { sim, adapter, target } = rig();
    const at = new Date('2026-03-04T05:06:07Z');
    const s = spec({ expiry: { type: 'at', at }, trafficLimitBytes: 7 * GIB });
    const [client] = await adapter.createClients(target, [s], ctx());
    expect(sim.client(s.identity.username)!.expiry).toBe(at.getTime() / 1000);
    expect(sim.client(s.identity.username)!.volume).toBe(7 * GIB);
    expect(client!.expiry).toEqual({ type: 'at', at });
  });

  it('creates several clients with one addbulk save, also on v1.4 (one inbound for the batch)', async () => {
    const { sim, adapter, target } = rig({ sim: { version: '1.4.0' } });
    const specs = [spec(), spec({ expiry: { type: 'never' } }), spec({ trafficLimitBytes: null })];
    const created = await adapter.createClients(target, specs, ctx());
    expect(created.map((c) => c.ref.username)).toEqual(specs.map((s) => s.identity.username));
    expect(sim.saves).toBe(1);
    for (const s of specs) {
      const row = sim.client(s.identity.username)!;
      expect(row.inbounds).toEqual([1]);
      expect(row.links.some((link) => link.type === 'local')).toBe(true);
    }
  });

  it('reads the result from the save answer: a create is one list, one save and one read of the batch’s rows for the links', async () => {
    const { sim, adapter, target } = rig();
    await adapter.createClients(target, [spec()], ctx()); // the subscription base is read once, here
    sim.resetRequestCounts();
    const created = await adapter.createClients(target, [spec(), spec(), spec()], ctx());
    expect(sim.requests.total).toBe(3);
    expect(calls(sim, 'GET apiv2/clients')).toBe(2);
    expect(calls(sim, 'POST apiv2/save')).toBe(1);
    for (const client of created) {
      expect(client.ref.remoteClientId).toMatch(/^\d+$/);
      expect(client.links).toEqual(await adapter.links(client.ref, ctx()));
    }
  });

  it('edits from the full row, so config and links survive an update', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    const before = structuredClone(sim.client(s.identity.username)!);
    await adapter.updateClient(client!.ref, { trafficLimitBytes: 20 * GIB }, ctx());
    // Through a ref holding only the username, the row is found in the list, then read in full.
    await adapter.updateClient({ target, username: s.identity.username }, { enabled: false }, ctx());
    const after = sim.client(s.identity.username)!;
    expect(after.config).toEqual(before.config);
    expect(after.links).toEqual(before.links);
    expect(after.volume).toBe(20 * GIB);
    expect(after.enable).toBe(false);
  });

  it('keeps usage on an update (an edit is a full-row replace; omitted up/down would reset it)', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    await sim.addTraffic(s.identity.username, 1_000, 2_000);
    const updated = await adapter.updateClient(client!.ref, { trafficLimitBytes: 30 * GIB }, ctx());
    expect(updated.usedBytes).toBe(3_000);
    expect(sim.client(s.identity.username)!.up).toBe(1_000);
  });

  it('does not save when the patch changes nothing (each save restarts inbounds and drops users)', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    const saves = sim.saves;
    await adapter.updateClient(client!.ref, { enabled: true, trafficLimitBytes: s.trafficLimitBytes }, ctx());
    expect(sim.saves).toBe(saves);
  });

  it('start on first use: delayStart with resetDays and expiry 0; the panel starts the period at first traffic', async () => {
    const { sim, adapter, target, clock } = rig();
    const s = spec({ expiry: { type: 'after_first_use', durationMs: 30 * DAY } });
    const [client] = await adapter.createClients(target, [s], ctx());
    const row = sim.client(s.identity.username)!;
    expect([row.delayStart, row.resetDays, row.expiry]).toEqual([true, 30, 0]);
    expect(client!.expiry).toEqual(s.expiry);
    expect(client!.panelStatus).toBe('on_hold');

    await sim.addTraffic(s.identity.username, 10, 10);
    sim.enforce();
    const started = await adapter.getClient(client!.ref, ctx());
    expect(started!.expiry).toEqual({ type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) });
  });

  it('refuses a start-on-first-use period that is not whole days, before writing anything', async () => {
    const { sim, adapter, target } = rig();
    const attempt = adapter.createClients(target, [spec({ expiry: { type: 'after_first_use', durationMs: 36 * 3_600_000 } })], ctx());
    await expect(attempt).rejects.toSatisfy((error) => PanelUnsupportedError.is(error) && !error.retryable);
    expect(sim.saves).toBe(0);
  });

  it('refuses start on first use before v1.4 (the field would be silently dropped: a client that never expires)', async () => {
    const { sim, adapter, target } = rig({ sim: { version: '1.3.6' } });
    const attempt = adapter.createClients(target, [spec({ expiry: { type: 'after_first_use', durationMs: 30 * DAY } })], ctx());
    await expect(attempt).rejects.toSatisfy((error) => PanelUnsupportedError.is(error));
    expect(sim.saves).toBe(0);
    // A fixed date works on that version.
    await adapter.createClients(target, [spec()], ctx());
    expect(sim.saves).toBe(1);
  });

  it('resets usage by moving up/down into the totals, as the panel UI does', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    await sim.addTraffic(s.identity.username, 300, 700);
    await adapter.resetUsage(client!.ref, ctx());
    const row = sim.client(s.identity.username)!;
    expect([row.up, row.down, row.totalUp, row.totalDown]).toEqual([0, 0, 300, 700]);
    expect(row.config).toEqual(expect.objectContaining({ vless: expect.any(Object) }));
  });

  it('deletes every row holding the name (duplicates made outside the adapter too)', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    sim.insertClient({ name: s.identity.username });
    await adapter.deleteClient(client!.ref, ctx());
    expect(await sim.countClients(s.identity.username)).toBe(0);
  });

  it('a delete racing another delete ("save: record not found") succeeds', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    server.use(
      http.post(`${ORIGIN}/app/apiv2/save`, async ({ request }) => {
        sim.clients.clear();
        return sim.handle(request);
      }),
    );
    await adapter.deleteClient(client!.ref, ctx());
    expect(await sim.countClients(s.identity.username)).toBe(0);
  });

  it('only the panel\'s own "record not found" counts as gone: an HTTP 404 on the save is an error', async () => {
    const { sim, adapter, target } = rig();
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    server.use(http.post(`${ORIGIN}/app/apiv2/save`, () => new HttpResponse(null, { status: 404 })));
    await expect(adapter.deleteClient(client!.ref, ctx())).rejects.toSatisfy((error) => PanelNotFoundError.is(error));
    expect(await sim.countClients(s.identity.username)).toBe(1);
  });

  it('an empty answer to a save is resolved by reading back (create adopts, update verifies)', async () => {
    const { sim, adapter, target } = rig();
    sim.quirks.emptyBodyOnWrite = true;
    const s = spec();
    const [client] = await adapter.createClients(target, [s], ctx());
    expect(client!.ref.username).toBe(s.identity.username);
    expect(await sim.countClients(s.identity.username)).toBe(1);
    const updated = await adapter.updateClient(client!.ref, { trafficLimitBytes: 2 * GIB }, ctx());
    expect(updated.trafficLimitBytes).toBe(2 * GIB);
    await adapter.deleteClient(client!.ref, ctx());
    expect(await sim.countClients(s.identity.username)).toBe(0);
    expect(sim.saves).toBe(3);
  });
});
