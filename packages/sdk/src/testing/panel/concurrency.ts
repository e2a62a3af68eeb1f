import { describe, expect, it } from 'vitest';
import { DAY, GIB, expectExpiry, getExisting, inFuture } from './support.js';
import type { PanelSuiteEnv } from './support.js';

/**
 * Calls the engine makes at once (up to `capabilities.maxConcurrency`) must not lose each other's
 * writes, even on panels that store a target's clients as one document (3x-ui rewrites an inbound's
 * whole client list on every write).
 */
export function concurrencySuite(env: PanelSuiteEnv): void {
  describe('concurrency', () => {
    it('concurrent creates on one target all land, once each', async () => {
      const specs = [env.spec(), env.spec(), env.spec(), env.spec()];
      const created = await Promise.all(specs.map((spec) => env.adapter.createClients(env.target, [spec], env.ctx())));
      expect(created.map(([client]) => client!.ref.username)).toEqual(specs.map((spec) => spec.identity.username));
      for (const spec of specs) expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('concurrent updates of different clients on one target all stick', async () => {
      const created = await env.adapter.createClients(env.target, [env.spec(), env.spec(), env.spec()], env.ctx());
      const patches = created.map((_, index) => ({
        expiry: { type: 'at' as const, at: inFuture(env.clock, (40 + index) * DAY) },
        trafficLimitBytes: (index + 11) * GIB,
      }));
      await Promise.all(created.map((client, index) => env.adapter.updateClient(client.ref, patches[index]!, env.ctx())));
      for (const [index, client] of created.entries()) {
        const read = await getExisting(env, client.ref);
        expectExpiry(read.expiry, patches[index]!.expiry);
        expect(read.trafficLimitBytes).toBe(patches[index]!.trafficLimitBytes);
      }
    });

    it('a create racing deletes of other clients on the same target keeps the right ones', async () => {
      const doomed = await env.adapter.createClients(env.target, [env.spec(), env.spec()], env.ctx());
      const fresh = env.spec();
      await Promise.all([
        ...doomed.map((client) => env.adapter.deleteClient(client.ref, env.ctx())),
        env.adapter.createClients(env.target, [fresh], env.ctx()),
      ]);
      for (const client of doomed) expect(await env.controls.countClients(client.ref.username)).toBe(0);
      expect(await env.controls.countClients(fresh.identity.username)).toBe(1);
    });
  });
}
