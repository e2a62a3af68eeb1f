import { PanelConflictError, PanelRejectedError, deriveRemoteIdentity } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { shareLinkToOutbound } from '../../src/share-links/index.js';
import { DAY } from '../support/msw.js';
import { ALL_GROUP, ctx, setup, spec, useMsw } from './setup.js';

useMsw();

describe('pasarguard adapter', () => {
  it('creates a user in the target group with every credential from the identity, and its device limit', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-create', clock, { deviceLimit: 3 })], ctx());
    const user = sim.user(client!.ref.username)!;
    const identity = deriveRemoteIdentity('pg-create', 0, { secret: 'pasarguard-test-identity-secret' });
    expect(user.groupIds).toEqual([1]);
    expect(user.proxySettings.vless.id).toBe(identity.uuid);
    expect(user.proxySettings.trojan.password).toBe(identity.password);
    expect(user.hwidLimit).toBe(3);
    expect(client!.deviceLimit).toBe(3);
    expect(client!.ref.remoteClientId).toBe(String(user.id));
    await adapter.updateClient(client!.ref, { deviceLimit: null }, ctx());
    // 0 exempts the user from device limits (`validate_and_register_hwid`).
    expect(sim.user(client!.ref.username)!.hwidLimit).toBe(0);
    expect((await adapter.getClient(client!.ref, ctx()))!.deviceLimit).toBeNull();
  });

  it('a group that does not exist is a PanelRejectedError, and nothing is created', async () => {
    const { adapter, sim, clock } = setup();
    const target = { remoteRef: '99', protocol: 'mixed', remoteMeta: { groupId: 99 } };
    const error = await adapter.createClients(target, [spec('pg-nogroup', clock)], ctx()).catch((e: unknown) => e);
    expect(PanelRejectedError.is(error)).toBe(true);
    expect((error as PanelRejectedError).issues).toEqual([{ path: 'group_ids', message: expect.stringContaining('Group not found') }]);
    expect(sim.userCount).toBe(0);
  });

  it('a 409 adopts a user with our credentials, and refuses a stranger of the same name', async () => {
    const { adapter, sim, clock } = setup();
    const [first] = await adapter.createClients(ALL_GROUP, [spec('pg-adopt', clock)], ctx());
    const [again] = await adapter.createClients(ALL_GROUP, [spec('pg-adopt', clock)], ctx());
    expect(again!.ref.username).toBe(first!.ref.username);
    expect(await sim.countClients(first!.ref.username)).toBe(1);
    sim.user(first!.ref.username)!.proxySettings.vless.id = '00000000-0000-4000-8000-000000000000';
    const error = await adapter.createClients(ALL_GROUP, [spec('pg-adopt', clock)], ctx()).catch((e: unknown) => e);
    expect(PanelConflictError.is(error)).toBe(true);
  });

  it('keeps the next plan an admin set on the panel through updates (a PUT without it deletes it)', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-plan', clock)], ctx());
    const plan = { user_template_id: null, data_limit: 5 * 2 ** 30, expire: 86_400, add_remaining_traffic: true };
    sim.user(client!.ref.username)!.nextPlan = plan;
    await adapter.updateClient(client!.ref, { trafficLimitBytes: 20 * 2 ** 30 }, ctx());
    await adapter.resetUsage(client!.ref, ctx());
    expect(sim.user(client!.ref.username)!.nextPlan).toEqual(plan);
  });

  it('waits for first use, starts on it, and comes back active (not on hold) when re-enabled with a fixed expiry', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(
      ALL_GROUP,
      [spec('pg-hold', clock, { expiry: { type: 'after_first_use', durationMs: 30 * DAY } })],
      ctx(),
    );
    expect(client!.expiry).toEqual({ type: 'after_first_use', durationMs: 30 * DAY });
    expect(client!.panelStatus).toBe('on_hold');
    // Moved to a fixed date while still waiting: the panel keeps the on-hold duration.
    const at = new Date(clock.now().getTime() + 10 * DAY);
    await adapter.updateClient(client!.ref, { expiry: { type: 'at', at } }, ctx());
    await adapter.updateClient(client!.ref, { enabled: false }, ctx());
    const back = await adapter.updateClient(client!.ref, { enabled: true }, ctx());
    expect(back.panelStatus).toBe('active');
    expect(back.expiry).toEqual({ type: 'at', at });
    expect(sim.user(client!.ref.username)!.status).toBe('active');
  });

  it('starts an on-hold user at first use (the review job) with the panel’s expiry', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(
      ALL_GROUP,
      [spec('pg-start', clock, { expiry: { type: 'after_first_use', durationMs: 7 * DAY } })],
      ctx(),
    );
    await sim.addTraffic(client!.ref.username, 1_000, 2_000);
    sim.enforce();
    const started = (await adapter.getClient(client!.ref, ctx()))!;
    expect(started.panelStatus).toBe('active');
    expect(started.expiry).toEqual({ type: 'at', at: new Date(clock.now().getTime() + 7 * DAY) });
    expect(started.usedBytes).toBe(3_000);
  });

  it('reset keeps a disabled user disabled and only clears the traffic', async () => {
    const { adapter, sim, clock } = setup();
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-reset', clock, { enabled: false })], ctx());
    await sim.addTraffic(client!.ref.username, 10, 20);
    await adapter.resetUsage(client!.ref, ctx());
    const after = (await adapter.getClient(client!.ref, ctx()))!;
    expect(after).toMatchObject({ enabled: false, usedBytes: 0, panelStatus: 'disabled' });
  });

  it('gives the subscription URL and share links that the project’s own link reader turns into outbounds', async () => {
    const { adapter, clock } = setup({ random: () => 0 });
    const [client] = await adapter.createClients(ALL_GROUP, [spec('pg-links', clock)], ctx());
    const links = await adapter.links(client!.ref, ctx());
    expect(links.subscriptionUrl).toMatch(/^http:\/\/pasarguard\.test\/sub\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(links.shareLinks.map((link) => link.split(':')[0])).toEqual(['vless', 'vless', 'vmess', 'trojan', 'ss']);
    const reality = shareLinkToOutbound(links.shareLinks[0]!);
    expect(reality.streamSettings).toMatchObject({
      security: 'reality',
      realitySettings: { serverName: 'www.speedtest.net', shortId: '6ba85179e30d4fc2', fingerprint: 'chrome' },
    });
    expect(reality.settings).toMatchObject({ vnext: [{ users: [{ flow: 'xtls-rprx-vision' }] }] });
    expect(shareLinkToOutbound(links.shareLinks[1]!).streamSettings).toMatchObject({
      network: 'grpc',
      grpcSettings: { serviceName: 'grpc-svc' },
    });
    expect(shareLinkToOutbound(links.shareLinks[2]!).streamSettings).toMatchObject({
      network: 'ws',
      wsSettings: { path: '/ws-path', headers: { Host: 'cdn.example.com' } },
    });
    // Remarks are percent-encoded as Python's quote does: `(` is %28.
    expect(links.shareLinks[0]).toContain('#VLESS%20TCP%20REALITY%20%28');
  });

  it('lists users in creation order, a page at a time', async () => {
    const { adapter, clock } = setup();
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [client] = await adapter.createClients(ALL_GROUP, [spec(`pg-list-${i}`, clock)], ctx());
      names.push(client!.ref.username);
      clock.advance(1_000);
    }
    const first = await adapter.listClients({ limit: 3 }, ctx());
    const second = await adapter.listClients({ cursor: first.nextCursor, limit: 3 }, ctx());
    expect([...first.items, ...second.items].map((c) => c.ref.username)).toEqual(names);
    expect(second.nextCursor).toBeNull();
    expect(first.items[0]!.ref.target.remoteRef).toBe('1');
  });
});
