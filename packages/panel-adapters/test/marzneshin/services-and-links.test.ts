import { PanelRejectedError } from '@panelkit/sdk';
import type { TargetRef } from '@panelkit/sdk/adapter';
import { describe, expect, it } from 'vitest';
import { isPlaceholderLink } from '../../src/marzneshin/share-links.js';
import { DAY } from '../support/msw.js';
import { ctx, ORIGIN, SERVICE_TARGET, setup, spec, useMsw } from './setup.js';

useMsw();

const target = (serviceId: number): TargetRef => ({ remoteRef: String(serviceId), protocol: 'mixed', remoteMeta: { serviceId } });

describe('marzneshin: a service the panel drops', () => {
  it('an unknown service id is a PanelRejectedError, and the user made without it is removed again', async () => {
    const { adapter, sim, clock } = setup();
    const s = spec('s-unknown', clock);
    const error = await adapter.createClients(target(99), [s], ctx()).catch((e: unknown) => e);
    expect(PanelRejectedError.is(error), String(error)).toBe(true);
    expect((error as PanelRejectedError).retryable).toBe(false);
    expect((error as PanelRejectedError).issues.map((issue) => issue.path)).toEqual(['service_ids']);
    expect(await sim.countClients(s.identity.username)).toBe(0);
    // The bad target changed nothing: the same client is created fine on a real service.
    const [client] = await adapter.createClients(SERVICE_TARGET, [s], ctx());
    expect(client!.ref.username).toBe(s.identity.username);
    expect(sim.user(s.identity.username)!.serviceIds).toEqual([1]);
  });

  it('a service a limited admin may not use is refused the same way', async () => {
    const { adapter, sim, clock } = setup({ adminAccess: { isSudo: false, serviceIds: [1] } });
    const s = spec('s-forbidden', clock);
    await expect(adapter.createClients(target(3), [s], ctx())).rejects.toSatisfy((e: unknown) => PanelRejectedError.is(e));
    expect(await sim.countClients(s.identity.username)).toBe(0);
  });
});

describe('marzneshin: the placeholder an inactive user is served', () => {
  it('a disabled, an expired and a limited user have no share links; enabled again, the real ones come back', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(SERVICE_TARGET, [spec('s-inactive', clock, { trafficLimitBytes: 1_000 })], ctx());
    const active = await adapter.links(client!.ref, ctx());
    expect(active.shareLinks).toHaveLength(2);

    await adapter.updateClient(client!.ref, { enabled: false }, ctx());
    const key = sim.user(client!.ref.username)!.key;
    const served = await (await fetch(`${ORIGIN}/sub/${client!.ref.username}/${key}/links`)).text();
    expect(served.split('\n').filter(isPlaceholderLink)).toHaveLength(1);
    const disabled = await adapter.links(client!.ref, ctx());
    expect(disabled.shareLinks).toEqual([]);
    expect(disabled.subscriptionUrl).toBe(active.subscriptionUrl);

    await adapter.updateClient(client!.ref, { enabled: true }, ctx());
    expect((await adapter.links(client!.ref, ctx())).shareLinks).toEqual(active.shareLinks);
    await sim.addTraffic(client!.ref.username, 600, 600);
    expect((await adapter.links(client!.ref, ctx())).shareLinks).toEqual([]);
    await adapter.resetUsage(client!.ref, ctx());
    clock.advance(31 * DAY);
    expect((await adapter.links(client!.ref, ctx())).shareLinks).toEqual([]);
  });

  it('recognises the placeholder (vmess, id None) and not a real vmess link', () => {
    const vmess = (id: string) =>
      `vmess://${Buffer.from(JSON.stringify({ add: '127.0.0.1', id, port: 80, ps: 'disabled', v: '2' })).toString('base64')}`;
    expect(isPlaceholderLink(vmess('None'))).toBe(true);
    expect(isPlaceholderLink(vmess('99aa06d3-0147-98d8-6001-c324468d497f'))).toBe(false);
    expect(isPlaceholderLink('vless://99aa06d3-0147-98d8-6001-c324468d497f@h:443#x')).toBe(false);
  });
});

describe('marzneshin: links with the create', () => {
  it("come from the create's answer and one …/links read a user, with no read of the user; a user made disabled costs no read", async () => {
    const { adapter, sim, clock } = setup();
    const specs = [spec('s-links-a', clock), spec('s-links-b', clock), spec('s-links-off', clock, { enabled: false })];
    await adapter.listTargets(ctx()); // the login
    sim.resetRequestCounts();
    const created = await adapter.createClients(SERVICE_TARGET, specs, ctx());
    const calls = (route: string) => sim.requests.byRoute.get(route) ?? 0;
    expect(calls('POST /api/users')).toBe(3);
    for (const [i, client] of created.entries()) {
      const { username } = client.ref;
      expect(calls(`GET /api/users/${username}`), username).toBe(0);
      expect(calls(`GET /sub/${username}/${sim.user(username)!.key}/links`), username).toBe(specs[i]!.enabled ? 1 : 0);
    }
    // Three creates, the disable of the third, and the links of the two active users.
    expect(sim.requests.total).toBe(6);
    expect(created.map((client) => client.links?.shareLinks.length)).toEqual([2, 2, 0]);
    for (const client of created) expect(client.links).toEqual(await adapter.links(client.ref, ctx()));
  });
});
