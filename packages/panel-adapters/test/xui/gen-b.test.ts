/** Gen B (v3.1+): global clients, forced-enable on create, read-modify-write updates, bulk create. */
import { PanelConflictError } from '@panelkit/sdk';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { BASE_PATH, calls, callsUnder, ctx, GIB, ORIGIN, rig, server, spec, useMsw } from './setup.js';

useMsw();

describe('3x-ui Gen B', () => {
  it('creates several clients with one bulkCreate call, and one with clients/add', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const many = [spec(), spec(), spec()];
    const created = await adapter.createClients(targets.vless, many, ctx());
    expect(calls(sim, 'POST /panel/api/clients/bulkCreate')).toBe(1);
    expect(created.map((c) => c.ref.username)).toEqual(many.map((s) => s.identity.username));
    await adapter.createClients(targets.vless, [spec()], ctx());
    expect(calls(sim, 'POST /panel/api/clients/add')).toBe(1);
    expect(sim.client(many[0]!.identity.username)).toMatchObject({
      id: many[0]!.identity.uuid,
      subId: many[0]!.identity.subId,
      totalGB: 10 * GIB,
    });
  });

  it('500 clients cost one bulkCreate, one bulkDisable, the read-back by page, and their links: one clients/links each', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    sim.seedClients(Number(targets.vless.remoteRef), 300);
    const specs = Array.from({ length: 500 }, (_, i) => spec({ enabled: i % 5 !== 0 }));
    // Login, the generation probe, the inbound options and the subscription base: once per adapter.
    const [warm] = await adapter.createClients(targets.vmess, [spec()], ctx());
    expect(warm!.links?.subscriptionUrl).not.toBeNull();
    sim.resetRequestCounts();
    const created = await adapter.createClients(targets.vless, specs, ctx());
    expect(created.map((c) => c.ref.username)).toEqual(specs.map((s) => s.identity.username));
    expect(created.map((c) => c.enabled)).toEqual(specs.map((s) => s.enabled));
    expect(calls(sim, 'POST /panel/api/clients/bulkCreate')).toBe(1);
    expect(calls(sim, 'POST /panel/api/clients/bulkDisable')).toBe(1);
    expect(calls(sim, 'GET /panel/api/clients/list/paged')).toBe(3);
    expect(callsUnder(sim, 'GET /panel/api/clients/links/')).toBe(500);
    expect(callsUnder(sim, 'GET /panel/api/clients/get/')).toBe(0);
    expect(sim.requests.total).toBe(505);
  });

  it('a batch read-back that cannot find a client is an unknown outcome, never a made-up client', async () => {
    const { adapter, targets } = rig({ version: '3.6.x' });
    server.use(http.post(`${ORIGIN}${BASE_PATH}panel/api/clients/bulkCreate`, () => new HttpResponse(null, { status: 200 })));
    const error = await adapter.createClients(targets.vless, [spec(), spec()], ctx()).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('PANEL_OUTCOME_UNKNOWN');
  });

  it('the panel forces enable on create, so a disabled client gets one bulkDisable', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const off = spec({ enabled: false });
    const [created] = await adapter.createClients(targets.vless, [off, spec()], ctx());
    expect(created!.enabled).toBe(false);
    expect(sim.client(off.identity.username)!.enable).toBe(false);
    expect(calls(sim, 'POST /panel/api/clients/bulkDisable')).toBe(1);
  });

  it('updates by read-modify-write: what the patch does not name survives the full-replace update', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const one = spec({ note: 'order 42' });
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    sim.client(one.identity.username)!.tgId = 77;
    const updated = await adapter.updateClient(created!.ref, { trafficLimitBytes: 30 * GIB }, ctx());
    expect(updated).toMatchObject({ enabled: true, trafficLimitBytes: 30 * GIB, deviceLimit: 2 });
    expect(sim.client(one.identity.username)).toMatchObject({
      enable: true,
      tgId: 77,
      comment: 'order 42',
      id: one.identity.uuid,
      expiryTime: Date.parse('2026-02-01T00:00:00Z'),
    });
  });

  it('adopts an existing client with the same subId; refuses one whose email is taken by another subscription', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const one = spec();
    await adapter.createClients(targets.vless, [one], ctx());
    const again = await adapter.createClients(targets.vless, [one], ctx());
    expect(again[0]!.ref.username).toBe(one.identity.username);
    // The panel adopts a client whose email and subId match: one client, its credentials kept.
    expect(await sim.countClients(one.identity.username)).toBe(1);
    expect(sim.client(one.identity.username)).toMatchObject({ id: one.identity.uuid, subId: one.identity.subId });
    const clash = spec();
    const other = { ...clash, identity: { ...clash.identity, username: one.identity.username } };
    const error = await adapter.createClients(targets.vmess, [other], ctx()).catch((e: unknown) => e);
    expect(PanelConflictError.is(error)).toBe(true);
  });

  it('deleting a client that is gone succeeds; reset and delete use the email routes', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const one = spec();
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    await sim.addTraffic(one.identity.username, 10, 10);
    await adapter.resetUsage(created!.ref, ctx());
    expect((await adapter.getClient(created!.ref, ctx()))!.usedBytes).toBe(0);
    await adapter.deleteClient(created!.ref, ctx());
    await adapter.deleteClient(created!.ref, ctx());
    expect(await adapter.getClient(created!.ref, ctx())).toBeNull();
    expect(calls(sim, `POST /panel/api/clients/del/${one.identity.username}`)).toBe(2);
  });

  it('a reset re-enables a disabled client on the panel; the adapter turns it off again', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const off = spec({ enabled: false });
    const [created] = await adapter.createClients(targets.vless, [off], ctx());
    await sim.addTraffic(off.identity.username, 10, 10);
    const disables = calls(sim, 'POST /panel/api/clients/bulkDisable');
    await adapter.resetUsage(created!.ref, ctx());
    expect(sim.client(off.identity.username)!.enable).toBe(false);
    expect(await adapter.getClient(created!.ref, ctx())).toMatchObject({ enabled: false, usedBytes: 0 });
    expect(calls(sim, 'POST /panel/api/clients/bulkDisable')).toBe(disables + 1);
  });

  it('a reset of an enabled client makes no extra write, and the next attempt after a lost answer keeps the old state', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const on = spec();
    const [created] = await adapter.createClients(targets.vless, [on], ctx());
    await adapter.resetUsage(created!.ref, ctx());
    expect(calls(sim, 'POST /panel/api/clients/bulkDisable')).toBe(0);
    const off = spec({ enabled: false });
    const [disabled] = await adapter.createClients(targets.vless, [off], ctx());
    // The reset lands, then the restoring write fails on the network: the engine's next attempt (same key)
    // must still know the client was off, though a fresh read now shows it on.
    server.use(http.post(`${ORIGIN}${BASE_PATH}panel/api/clients/bulkDisable`, () => HttpResponse.error(), { once: true }));
    const first = ctx();
    const error = await adapter.resetUsage(disabled!.ref, first).catch((e: unknown) => e);
    expect((error as { retryable?: boolean }).retryable).toBe(true);
    expect(sim.client(off.identity.username)!.enable).toBe(true);
    await adapter.resetUsage(disabled!.ref, { ...first, attempt: 2 });
    expect(sim.client(off.identity.username)!.enable).toBe(false);
  });

  it('deletes the only client of an inbound without a placeholder (v3.1 allows it)', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const [created] = await adapter.createClients(targets.trojan, [spec()], ctx());
    await adapter.deleteClient(created!.ref, ctx());
    expect(sim.state.inbounds.get(Number(targets.trojan.remoteRef))!.clientKeys).toEqual([]);
  });

  it('an empty 200 body on an update is resolved by reading back', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const [created] = await adapter.createClients(targets.vless, [spec()], ctx());
    sim.quirks.emptyBodyOnWrite = true;
    const updated = await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    expect(updated.enabled).toBe(false);
  });

  it('an update answered with an empty body that did not apply is an unknown outcome', async () => {
    const { adapter, targets } = rig({ version: '3.6.x' });
    const [created] = await adapter.createClients(targets.vless, [spec()], ctx());
    server.use(http.post(`${ORIGIN}${BASE_PATH}panel/api/clients/update/:email`, () => new HttpResponse(null, { status: 200 })));
    const error = await adapter.updateClient(created!.ref, { enabled: false }, ctx()).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('PANEL_OUTCOME_UNKNOWN');
  });
});
