import { describe, expect, it } from 'vitest';
import type { ClientSpec } from '../../ports/panel.js';
import { DAY, GIB, bareRef, createOne, expectExpiry, expectMatchesSpec, findListed, getExisting, inFuture } from './support.js';
import type { PanelSuiteEnv } from './support.js';

export function lifecycleSuite(env: PanelSuiteEnv): void {
  describe('lifecycle', () => {
    it('health reports ok with a latency', async () => {
      const report = await env.adapter.health(env.ctx());
      expect(report.ok, `health: ${report.message ?? ''}`).toBe(true);
      expect(report.message).toBeNull();
      expect(Number.isFinite(report.latencyMs) && report.latencyMs >= 0).toBe(true);
    });

    it('listTargets includes the target clients are created on', async () => {
      const targets = await env.adapter.listTargets(env.ctx());
      const found = targets.find((target) => target.remoteRef === env.target.remoteRef);
      expect(found, `target ${env.target.remoteRef} not listed`).toBeDefined();
      expect(found!.protocol).toBe(env.target.protocol);
      for (const target of targets) {
        expect(typeof target.name).toBe('string');
        expect(target.clientCount === null || (Number.isInteger(target.clientCount) && target.clientCount >= 0)).toBe(true);
      }
    });

    it('creates one client whose fields read back unchanged, also through a ref holding only the username', async () => {
      const spec = env.spec();
      const countOf = async () =>
        (await env.adapter.listTargets(env.ctx())).find((t) => t.remoteRef === env.target.remoteRef)?.clientCount ?? null;
      const before = await countOf();
      const created = await createOne(env, spec);
      const after = await countOf();
      if (before !== null && after !== null) expect(after, 'the target counts the new client').toBe(before + 1);
      expectMatchesSpec(created, spec, env.adapter.capabilities.deviceLimit);
      expect(created.ref.target.remoteRef).toBe(env.target.remoteRef);
      expect(created.usedBytes).toBe(0);

      expectMatchesSpec(await getExisting(env, created.ref), spec, env.adapter.capabilities.deviceLimit);
      const byName = await getExisting(env, bareRef(env.target, spec.identity.username));
      expectMatchesSpec(byName, spec, env.adapter.capabilities.deviceLimit);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('creates several clients in one call: one per spec, in order, each with its own fields', async () => {
      const { capabilities } = env.adapter;
      const specs: ClientSpec[] = [
        env.spec(),
        env.spec({ expiry: { type: 'never' }, trafficLimitBytes: null, deviceLimit: null }),
        env.spec({
          expiry: capabilities.startOnFirstUse
            ? { type: 'after_first_use', durationMs: 30 * DAY }
            : { type: 'at', at: inFuture(env.clock, 7 * DAY) },
          trafficLimitBytes: 3 * GIB,
        }),
      ];
      const created = await env.adapter.createClients(env.target, specs, env.ctx());
      expect(created.map((client) => client.ref.username)).toEqual(specs.map((spec) => spec.identity.username));
      for (const [index, spec] of specs.entries()) {
        expectMatchesSpec(created[index]!, spec, capabilities.deviceLimit);
        expectMatchesSpec(await getExisting(env, created[index]!.ref), spec, capabilities.deviceLimit);
        expect(await env.controls.countClients(spec.identity.username)).toBe(1);
      }
    });

    it('never expiring, unlimited clients read back as such', async () => {
      const spec = env.spec({ expiry: { type: 'never' }, trafficLimitBytes: null });
      const created = await createOne(env, spec);
      const read = await getExisting(env, created.ref);
      expect(read.expiry).toEqual({ type: 'never' });
      expect(read.trafficLimitBytes).toBeNull();
    });

    it('a start-on-first-use client keeps its duration until first use', async (context) => {
      context.skip(!env.adapter.capabilities.startOnFirstUse, 'the panel cannot start a period on first use');
      const spec = env.spec({ expiry: { type: 'after_first_use', durationMs: 14 * DAY } });
      const created = await createOne(env, spec);
      expectExpiry(created.expiry, spec.expiry);
      expectExpiry((await getExisting(env, created.ref)).expiry, spec.expiry);
    });

    it('a client created disabled reads back disabled', async () => {
      const spec = env.spec({ enabled: false });
      const created = await createOne(env, spec);
      expect(created.enabled).toBe(false);
      expect((await getExisting(env, created.ref)).enabled).toBe(false);
    });

    it('updateClient changes expiry and limit, and leaves what the patch does not name', async () => {
      const spec = env.spec();
      const created = await createOne(env, spec);
      const later = inFuture(env.clock, 60 * DAY);
      const updated = await env.adapter.updateClient(
        created.ref,
        { expiry: { type: 'at', at: later }, trafficLimitBytes: 20 * GIB },
        env.ctx(),
      );
      expectExpiry(updated.expiry, { type: 'at', at: later });
      expect(updated.trafficLimitBytes).toBe(20 * GIB);
      expect(updated.enabled).toBe(true);

      const read = await getExisting(env, created.ref);
      expectExpiry(read.expiry, { type: 'at', at: later });
      expect(read.trafficLimitBytes).toBe(20 * GIB);
      expect(read.enabled).toBe(true);
      if (env.adapter.capabilities.deviceLimit) expect(read.deviceLimit).toBe(spec.deviceLimit);

      await env.adapter.updateClient(created.ref, { trafficLimitBytes: null }, env.ctx());
      const unlimited = await getExisting(env, created.ref);
      expect(unlimited.trafficLimitBytes).toBeNull();
      expectExpiry(unlimited.expiry, { type: 'at', at: later });

      await env.adapter.updateClient(created.ref, { expiry: { type: 'never' } }, env.ctx());
      expect((await getExisting(env, created.ref)).expiry).toEqual({ type: 'never' });
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('updateClient changes the device limit', async (context) => {
      context.skip(!env.adapter.capabilities.deviceLimit, 'the panel cannot limit devices');
      const created = await createOne(env, env.spec({ deviceLimit: 2 }));
      const updated = await env.adapter.updateClient(created.ref, { deviceLimit: 5 }, env.ctx());
      expect(updated.deviceLimit).toBe(5);
      expect((await getExisting(env, created.ref)).deviceLimit).toBe(5);
    });

    it('a start-on-first-use client can be given a fixed date', async (context) => {
      context.skip(!env.adapter.capabilities.startOnFirstUse, 'the panel cannot start a period on first use');
      const created = await createOne(env, env.spec({ expiry: { type: 'after_first_use', durationMs: 30 * DAY } }));
      const at = inFuture(env.clock, 45 * DAY);
      await env.adapter.updateClient(created.ref, { expiry: { type: 'at', at } }, env.ctx());
      const read = await getExisting(env, created.ref);
      expectExpiry(read.expiry, { type: 'at', at });
      expect(read.enabled).toBe(true);
    });

    it('disable then enable, keeping expiry and limit', async () => {
      const spec = env.spec();
      const created = await createOne(env, spec);
      const disabled = await env.adapter.updateClient(created.ref, { enabled: false }, env.ctx());
      expect(disabled.enabled).toBe(false);
      const readDisabled = await getExisting(env, created.ref);
      expect(readDisabled.enabled).toBe(false);
      expectExpiry(readDisabled.expiry, spec.expiry);
      expect(readDisabled.trafficLimitBytes).toBe(spec.trafficLimitBytes);
      expect((await findListed(env, spec.identity.username))?.enabled).toBe(false);

      const enabled = await env.adapter.updateClient(created.ref, { enabled: true }, env.ctx());
      expect(enabled.enabled).toBe(true);
      const readEnabled = await getExisting(env, created.ref);
      expect(readEnabled.enabled).toBe(true);
      expectExpiry(readEnabled.expiry, spec.expiry);
      expect(readEnabled.trafficLimitBytes).toBe(spec.trafficLimitBytes);
    });

    it('usage is cumulative and the same through getClient and listClients', async () => {
      const spec = env.spec();
      const created = await createOne(env, spec);
      await env.controls.addTraffic(spec.identity.username, 1_000_000, 2_500_000);
      const first = await getExisting(env, created.ref);
      expect(first.usedBytes).toBe(3_500_000);
      if (first.uploadBytes !== null) expect(first.uploadBytes).toBe(1_000_000);
      if (first.downloadBytes !== null) expect(first.downloadBytes).toBe(2_500_000);

      await env.controls.addTraffic(spec.identity.username, 500_000, 0);
      expect((await getExisting(env, created.ref)).usedBytes).toBe(4_000_000);
      const listed = await findListed(env, spec.identity.username);
      expect(listed, 'the client is listed').toBeDefined();
      expect(listed!.usedBytes).toBe(4_000_000);
      expect(listed!.ref.target.remoteRef).toBe(env.target.remoteRef);
    });

    it('resetUsage sets usage to zero and keeps state, expiry and limit', async (context) => {
      context.skip(!env.adapter.capabilities.resetUsage, 'the panel cannot reset usage');
      const spec = env.spec();
      const created = await createOne(env, spec);
      await env.controls.addTraffic(spec.identity.username, 7_000, 9_000);
      await env.adapter.resetUsage(created.ref, env.ctx());
      const reset = await getExisting(env, created.ref);
      expect(reset.usedBytes).toBe(0);
      expect(reset.enabled).toBe(true);
      expectExpiry(reset.expiry, spec.expiry);
      expect(reset.trafficLimitBytes).toBe(spec.trafficLimitBytes);
      expect((await findListed(env, spec.identity.username))?.usedBytes).toBe(0);
    });

    it('resetUsage keeps a disabled client disabled', async (context) => {
      context.skip(!env.adapter.capabilities.resetUsage, 'the panel cannot reset usage');
      const created = await createOne(env, env.spec());
      await env.controls.addTraffic(created.ref.username, 1_000, 1_000);
      await env.adapter.updateClient(created.ref, { enabled: false }, env.ctx());
      await env.adapter.resetUsage(created.ref, env.ctx());
      const read = await getExisting(env, created.ref);
      expect(read.usedBytes).toBe(0);
      expect(read.enabled).toBe(false);
    });

    it('resetUsage keeps a start-on-first-use client waiting for first use', async (context) => {
      context.skip(
        !env.adapter.capabilities.resetUsage || !env.adapter.capabilities.startOnFirstUse,
        'the panel cannot reset usage or start a period on first use',
      );
      const spec = env.spec({ expiry: { type: 'after_first_use', durationMs: 30 * DAY } });
      const created = await createOne(env, spec);
      await env.adapter.resetUsage(created.ref, env.ctx());
      const read = await getExisting(env, created.ref);
      expectExpiry(read.expiry, spec.expiry);
      expect(read.enabled).toBe(true);
    });

    it('deleteClient removes the client', async () => {
      const spec = env.spec();
      const keep = await createOne(env);
      const created = await createOne(env, spec);
      await env.adapter.deleteClient(created.ref, env.ctx());
      expect(await env.adapter.getClient(created.ref, env.ctx())).toBeNull();
      expect(await env.adapter.getClient(bareRef(env.target, spec.identity.username), env.ctx())).toBeNull();
      expect(await env.controls.countClients(spec.identity.username)).toBe(0);
      expect(await findListed(env, spec.identity.username)).toBeUndefined();
      // Its neighbour on the same target is untouched.
      expect((await getExisting(env, keep.ref)).ref.username).toBe(keep.ref.username);
    });
  });
}
