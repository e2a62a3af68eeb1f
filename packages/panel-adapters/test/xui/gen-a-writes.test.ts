/** Gen A (v2.x – v3.0.x) writes: batching, in-place updates, per-inbound serialisation, units, unknown outcomes. */
import { PanelConflictError, PanelOutcomeUnknownError } from '@panelkit/sdk';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createXuiAdapter } from '../../src/xui/index.js';
import { RECENT_INBOUND_MS } from '../../src/xui/gen-a.js';
import { calls, ctx, DAY, GIB, ORIGIN, BASE_PATH, PASSWORD, rig, server, spec, useMsw } from './setup.js';

useMsw();

describe('3x-ui Gen A writes', () => {
  it('creates several clients with one addClient call, with the identity as credentials and panel units', async () => {
    const { sim, adapter, targets } = rig();
    const specs = [
      spec(),
      spec({ expiry: { type: 'after_first_use', durationMs: 30 * DAY } }),
      spec({ trafficLimitBytes: null, deviceLimit: null }),
    ];
    const created = await adapter.createClients(targets.vless, specs, ctx());
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(1);
    expect(created.map((c) => c.ref.username)).toEqual(specs.map((s) => s.identity.username));
    const stored = sim.client(specs[0]!.identity.username)!;
    expect(stored).toMatchObject({
      id: specs[0]!.identity.uuid,
      subId: specs[0]!.identity.subId,
      totalGB: 10 * GIB,
      limitIp: 2,
      expiryTime: Date.parse('2026-02-01T00:00:00Z'),
      flow: 'xtls-rprx-vision',
      enable: true,
    });
    expect(sim.client(specs[1]!.identity.username)!.expiryTime).toBe(-30 * DAY);
    expect(created[1]!.expiry).toEqual({ type: 'after_first_use', durationMs: 30 * DAY });
    expect(sim.client(specs[2]!.identity.username)).toMatchObject({ totalGB: 0, limitIp: 0 });
    expect(created[2]!.trafficLimitBytes).toBeNull();
  });

  it('reads the inbound once per batch and confirms from the write’s own answer, with the links from that read', async () => {
    const { sim, adapter, targets } = rig();
    const specs = [spec(), spec(), spec()];
    const created = await adapter.createClients(targets.vless, specs, ctx());
    expect(calls(sim, `GET /panel/api/inbounds/get/${targets.vless.remoteRef}`)).toBe(1);
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(1);
    for (const [i, client] of created.entries()) {
      expect(client.links).toEqual(await adapter.links(client.ref, ctx()));
      expect(client.ref.remoteClientId).toBe(specs[i]!.identity.uuid);
    }
  });

  it('sends settings as a JSON string inside the body (the Gen A binding rejects an object)', async () => {
    const { sim, adapter, targets } = rig();
    let body: unknown;
    server.use(
      http.post(`${ORIGIN}${BASE_PATH}panel/api/inbounds/addClient`, async ({ request }) => {
        body = await request.clone().json();
        return sim.handle(request);
      }),
    );
    await adapter.createClients(targets.vless, [spec()], ctx());
    expect(typeof (body as { settings: unknown }).settings).toBe('string');
  });

  it('uses each protocol’s credential: trojan password, shadowsocks 2022 key, vmess uuid', async () => {
    const { sim, adapter, targets } = rig();
    const [t, s, v] = [spec(), spec(), spec()];
    await adapter.createClients(targets.trojan, [t], ctx());
    await adapter.createClients(targets.ss, [s], ctx());
    await adapter.createClients(targets.vmess, [v], ctx());
    expect(sim.client(t.identity.username)).toMatchObject({ password: t.identity.password });
    expect(sim.client(s.identity.username)).toMatchObject({ password: s.identity.ssKey, method: '' });
    expect(sim.client(v.identity.username)).toMatchObject({ id: v.identity.uuid, security: 'auto' });
  });

  it('adopts a client that already exists instead of adding it again', async () => {
    const { sim, adapter, clock, targets } = rig();
    const one = spec();
    await adapter.createClients(targets.vless, [one], ctx());
    await sim.addTraffic(one.identity.username, 100, 200);
    // Past the recent read: the inbound is read first, and only the missing client is sent.
    clock.advance(RECENT_INBOUND_MS);
    const again = await adapter.createClients(targets.vless, [one, spec()], ctx());
    expect(await sim.countClients(one.identity.username)).toBe(1);
    expect(again[0]!.usedBytes).toBe(300);
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(2);
    expect(calls(sim, `GET /panel/api/inbounds/get/${targets.vless.remoteRef}`)).toBe(2);
  });

  it('a batch within a minute of a read of its inbound is one addClient, no read; its links are still the panel’s', async () => {
    const { sim, adapter, targets } = rig();
    await adapter.createClients(targets.vless, [spec()], ctx());
    const created = await adapter.createClients(targets.vless, [spec(), spec()], ctx());
    expect(calls(sim, `GET /panel/api/inbounds/get/${targets.vless.remoteRef}`)).toBe(1);
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(2);
    for (const client of created) expect(client.links).toEqual(await adapter.links(client.ref, ctx()));
  });

  it('a retried batch sent without a read adopts its clients already on the inbound and adds the rest', async () => {
    const { sim, adapter, targets } = rig();
    const [one, two] = [spec(), spec()];
    await adapter.createClients(targets.vless, [one], ctx());
    await sim.addTraffic(one.identity.username, 100, 200);
    const again = await adapter.createClients(targets.vless, [one, two], ctx());
    // The batch is refused whole (Duplicate email), the inbound read, and the missing client added.
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(3);
    expect(await sim.countClients(one.identity.username)).toBe(1);
    expect(await sim.countClients(two.identity.username)).toBe(1);
    expect(again.map((c) => c.usedBytes)).toEqual([300, 0]);
    const whole = await adapter.createClients(targets.vless, [one, two], ctx());
    expect(whole.map((c) => c.usedBytes)).toEqual([300, 0]);
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(4);
  });

  it('an edit of the inbound reaches new clients’ links once the read before it is a minute old', async () => {
    const { sim, adapter, clock, targets } = rig();
    await adapter.createClients(targets.vless, [spec()], ctx());
    sim.state.inbounds.get(Number(targets.vless.remoteRef))!.port = 8443;
    clock.advance(RECENT_INBOUND_MS);
    const [created] = await adapter.createClients(targets.vless, [spec()], ctx());
    expect(created!.links!.shareLinks[0]).toContain(':8443?');
    expect(created!.links).toEqual(await adapter.links(created!.ref, ctx()));
  });

  it('a client deleted since the recent read and created again comes back as sent, not as it was', async () => {
    const { sim, adapter, targets } = rig();
    const one = spec();
    const [first] = await adapter.createClients(targets.vless, [one, spec()], ctx());
    await adapter.getClient(first!.ref, ctx());
    // Another replica deletes it: this driver's recent read (the getClient's) still holds it.
    const other = createXuiAdapter({ baseUrl: `${ORIGIN}${BASE_PATH}`, auth: { username: 'admin', password: PASSWORD } });
    await other.deleteClient(first!.ref, ctx());
    const reads = calls(sim, `GET /panel/api/inbounds/get/${targets.vless.remoteRef}`);
    const [again] = await adapter.createClients(targets.vless, [{ ...one, trafficLimitBytes: 50 * GIB }], ctx());
    expect(calls(sim, `GET /panel/api/inbounds/get/${targets.vless.remoteRef}`)).toBe(reads);
    expect(again!.trafficLimitBytes).toBe(50 * GIB);
    expect(sim.client(one.identity.username)!.totalGB).toBe(50 * GIB);
  });

  it('reads the inbound before every create on v3.0.x, which may take a duplicate email (MHSanaei/3x-ui#4438)', async () => {
    const { sim, adapter, targets } = rig({ version: '3.0.2' });
    await adapter.createClients(targets.vless, [spec()], ctx());
    await adapter.createClients(targets.vless, [spec()], ctx());
    expect(calls(sim, `GET /panel/api/inbounds/get/${targets.vless.remoteRef}`)).toBe(2);
  });

  it('adopts clients another worker added between the read and the write (Duplicate email on the same inbound)', async () => {
    const { sim, adapter, targets } = rig();
    const one = spec();
    const other = rig().adapter;
    server.resetHandlers(http.all(`${ORIGIN}/*`, ({ request }) => sim.handle(request)));
    await other.createClients(targets.vless, [one], ctx());
    // The first read of the inbound is stale: it was taken before the other worker's write.
    server.use(
      http.get(
        `${ORIGIN}${BASE_PATH}panel/api/inbounds/get/:id`,
        async ({ request }) => {
          const body = (await (await sim.handle(request)).json()) as { obj: { settings: string } };
          const settings = JSON.parse(body.obj.settings) as { clients: { email: string }[] };
          settings.clients = settings.clients.filter((c) => c.email !== one.identity.username);
          body.obj.settings = JSON.stringify(settings);
          return HttpResponse.json(body);
        },
        { once: true },
      ),
    );
    const [adopted] = await adapter.createClients(targets.vless, [one], ctx());
    expect(adopted!.ref.username).toBe(one.identity.username);
    expect(await sim.countClients(one.identity.username)).toBe(1);
  });

  it('a username taken on another inbound is a conflict, not a duplicate', async () => {
    const { sim, adapter, clock, targets } = rig();
    const one = spec();
    await adapter.createClients(targets.vless, [one], ctx());
    // With a recent read of the inbound (sent at once, refused, read), and without (read first, sent, refused).
    await adapter.createClients(targets.vmess, [spec()], ctx());
    for (const advance of [0, RECENT_INBOUND_MS]) {
      clock.advance(advance);
      const error = await adapter.createClients(targets.vmess, [one], ctx()).catch((e: unknown) => e);
      expect(PanelConflictError.is(error)).toBe(true);
      expect((error as PanelConflictError).retryable).toBe(false);
    }
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(4);
    expect(await sim.countClients(one.identity.username)).toBe(1);
  });

  it('serialises writes per inbound: concurrent creates all land on a panel that clobbers overlapping writes', async () => {
    const { sim, adapter, targets } = rig({ adapter: { maxConcurrency: 8 } });
    sim.quirks.clobberConcurrentWrites = true;
    const specs = Array.from({ length: 6 }, () => spec());
    await Promise.all(specs.map((s) => adapter.createClients(targets.vless, [s], ctx())));
    for (const s of specs) expect(await sim.countClients(s.identity.username)).toBe(1);
  });

  it('the clobbering quirk is real: two adapters (two locks) writing to one inbound at once lose a client', async () => {
    const { sim, targets } = rig();
    sim.quirks.clobberConcurrentWrites = true;
    sim.quirks.writeDelayMs = 30;
    const single = { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } };
    const a = rig({ adapter: single }).adapter;
    const b = rig({ adapter: single }).adapter;
    // Both rigs registered newer simulators; point both adapters back at the first one.
    server.resetHandlers(http.all(`${ORIGIN}/*`, ({ request }) => sim.handle(request)));
    await Promise.all([a.health(ctx()), b.health(ctx())]);
    const [one, two] = [spec(), spec()];
    await Promise.allSettled([a.createClients(targets.vmess, [one], ctx()), b.createClients(targets.vmess, [two], ctx())]);
    const present = (await sim.countClients(one.identity.username)) + (await sim.countClients(two.identity.username));
    expect(present).toBe(1);
  });

  it('updates in place: expiry, limit, devices and enabled change; credentials and unknown fields stay', async () => {
    const { sim, adapter, targets } = rig();
    const one = spec();
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    sim.client(one.identity.username)!.tgId = 123456789;
    const at = new Date('2026-06-01T00:00:00Z');
    const updated = await adapter.updateClient(
      created!.ref,
      { expiry: { type: 'at', at }, trafficLimitBytes: 50 * GIB, deviceLimit: 3, enabled: false },
      ctx(),
    );
    expect(updated).toMatchObject({ enabled: false, trafficLimitBytes: 50 * GIB, deviceLimit: 3, expiry: { type: 'at', at } });
    expect(sim.client(one.identity.username)).toMatchObject({
      id: one.identity.uuid,
      subId: one.identity.subId,
      tgId: 123456789,
      enable: false,
      expiryTime: at.getTime(),
    });
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(1);
    expect(calls(sim, `POST /panel/api/inbounds/updateClient/${one.identity.uuid}`)).toBe(1);
    const enabled = await adapter.updateClient(created!.ref, { enabled: true }, ctx());
    expect(enabled.enabled).toBe(true);
    expect(enabled.trafficLimitBytes).toBe(50 * GIB);
  });

  it('an empty 200 body on a write is resolved by reading back', async () => {
    const { sim, adapter, targets } = rig();
    sim.quirks.emptyBodyOnWrite = true;
    const one = spec();
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    const updated = await adapter.updateClient(created!.ref, { trafficLimitBytes: 20 * GIB }, ctx());
    expect(updated.trafficLimitBytes).toBe(20 * GIB);
    await sim.addTraffic(one.identity.username, 5, 5);
    await adapter.resetUsage(created!.ref, ctx());
    await adapter.deleteClient(created!.ref, ctx());
    expect(await sim.countClients(one.identity.username)).toBe(0);
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(2); // the client, then the last-client placeholder
  });

  it('an empty 200 body whose write did not happen is an unknown outcome (retryable), never a success', async () => {
    const { sim, adapter, targets } = rig();
    server.use(http.post(`${ORIGIN}${BASE_PATH}panel/api/inbounds/addClient`, () => new HttpResponse(null, { status: 200 })));
    const one = spec();
    const error = await adapter.createClients(targets.vless, [one], ctx()).catch((e: unknown) => e);
    expect(PanelOutcomeUnknownError.is(error)).toBe(true);
    expect((error as PanelOutcomeUnknownError).retryable).toBe(true);
    expect(await sim.countClients(one.identity.username)).toBe(0);
  });

  it('deletes the last client of an inbound on v2.1–v3.0.2 by leaving a disabled placeholder', async () => {
    const { sim, adapter, targets } = rig();
    const one = spec();
    const [created] = await adapter.createClients(targets.trojan, [one], ctx());
    await adapter.deleteClient(created!.ref, ctx());
    expect(await sim.countClients(one.identity.username)).toBe(0);
    const placeholder = sim.client(`panelkit_keep_${targets.trojan.remoteRef}`);
    expect(placeholder).toMatchObject({ enable: false });
    expect(placeholder!.password).not.toBe(one.identity.password);
    const listed = await adapter.listClients({}, ctx());
    expect(listed.items.map((c) => c.ref.username)).not.toContain(`panelkit_keep_${targets.trojan.remoteRef}`);
    expect((await adapter.listTargets(ctx())).find((t) => t.remoteRef === targets.trojan.remoteRef)!.clientCount).toBe(0);
    // A second customer on that inbound and its deletion need no new placeholder.
    const two = spec();
    const [second] = await adapter.createClients(targets.trojan, [two], ctx());
    await adapter.deleteClient(second!.ref, ctx());
    expect(calls(sim, 'POST /panel/api/inbounds/addClient')).toBe(3);
  });

  it('needs no placeholder before v2.1, where the last client can be deleted', async () => {
    const { sim, adapter, targets } = rig({ version: '2.0.2' });
    const [created] = await adapter.createClients(targets.trojan, [spec()], ctx());
    await adapter.deleteClient(created!.ref, ctx());
    expect(sim.state.inbounds.get(Number(targets.trojan.remoteRef))!.clientKeys).toEqual([]);
  });

  it('starts a start-on-first-use period at first traffic and enforces limits like the panel', async () => {
    const { sim, adapter, clock, targets } = rig();
    const one = spec({ expiry: { type: 'after_first_use', durationMs: 30 * DAY }, trafficLimitBytes: 1000 });
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    expect((await adapter.getClient(created!.ref, ctx()))!.panelStatus).toBe('on_hold');
    clock.advance(5 * DAY);
    await sim.addTraffic(one.identity.username, 600, 500);
    const after = (await adapter.getClient(created!.ref, ctx()))!;
    expect(after.expiry).toEqual({ type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) });
    expect(after.usedBytes).toBe(1100);
    expect(after.panelStatus).toBe('limited');
    expect(sim.enforce()).toBe(1);
    expect(sim.state.traffic.get(one.identity.username)!.enable).toBe(false);
  });
});
