import { describe, expect, it } from 'vitest';
import { DAY, GIB, bareRef, createOne, expectExpiry, expectPanelError, getExisting, inFuture, settleUnknownOutcome } from './support.js';
import type { PanelSuiteEnv } from './support.js';

/** When the panel tells its pending faults, the one a test injected must have landed on a request. */
function expectFaultLanded(env: PanelSuiteEnv): void {
  const pending = env.controls.pendingFaults?.();
  if (pending !== undefined) expect(pending, 'the injected fault never met a request').toBe(0);
}

export function idempotencySuite(env: PanelSuiteEnv): void {
  describe('idempotency', () => {
    it('creating the same client twice leaves one client and gives the same ref', async () => {
      const spec = env.spec();
      const first = await createOne(env, spec);
      const second = await createOne(env, spec);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
      expect(second.ref.username).toBe(first.ref.username);
      expect(second.ref.target.remoteRef).toBe(first.ref.target.remoteRef);
      if (first.ref.remoteClientId != null) expect(second.ref.remoteClientId).toBe(first.ref.remoteClientId);
    });

    it('a batch that repeats an existing client adopts it and creates the rest, in order', async () => {
      const existing = env.spec();
      await createOne(env, existing);
      const fresh = [env.spec(), env.spec()];
      const specs = [fresh[0]!, existing, fresh[1]!];
      const created = await env.adapter.createClients(env.target, specs, env.ctx());
      expect(created.map((client) => client.ref.username)).toEqual(specs.map((spec) => spec.identity.username));
      for (const spec of specs) expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('deleting a client that does not exist succeeds, twice', async () => {
      const ghost = bareRef(env.target, env.spec().identity.username);
      await env.adapter.deleteClient(ghost, env.ctx());
      await env.adapter.deleteClient(ghost, env.ctx());
      const created = await createOne(env);
      await env.adapter.deleteClient(created.ref, env.ctx());
      await env.adapter.deleteClient(created.ref, env.ctx());
      expect(await env.controls.countClients(created.ref.username)).toBe(0);
    });

    it('getClient of a client that does not exist is null', async () => {
      expect(await env.adapter.getClient(bareRef(env.target, env.spec().identity.username), env.ctx())).toBeNull();
    });

    it('updating a client that does not exist is a PanelNotFoundError, not retryable, and creates nothing', async () => {
      const spec = env.spec();
      await expectPanelError(
        env,
        env.adapter.updateClient(bareRef(env.target, spec.identity.username), { trafficLimitBytes: GIB }, env.ctx()),
        'PanelNotFoundError',
        false,
      );
      expect(await env.controls.countClients(spec.identity.username)).toBe(0);
    });

    it('a create whose response was lost ends with exactly one client', async () => {
      const spec = env.spec();
      env.controls.injectFault({ kind: 'lost_response', on: 'write' });
      const created = await settleUnknownOutcome(env, (ctx) => env.adapter.createClients(env.target, [spec], ctx));
      expectFaultLanded(env);
      expect(created.map((client) => client.ref.username)).toEqual([spec.identity.username]);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
      // The engine may run the job once more after all; that converges too.
      await createOne(env, spec);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
      expect((await getExisting(env, created[0]!.ref)).enabled).toBe(true);
    });

    it('a batch create whose response was lost ends with exactly one client per spec', async () => {
      const specs = [env.spec(), env.spec(), env.spec()];
      env.controls.injectFault({ kind: 'lost_response', on: 'write' });
      const created = await settleUnknownOutcome(env, (ctx) => env.adapter.createClients(env.target, specs, ctx));
      expectFaultLanded(env);
      expect(created.map((client) => client.ref.username)).toEqual(specs.map((spec) => spec.identity.username));
      for (const spec of specs) expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('an update whose response was lost is applied once and reads back', async () => {
      const created = await createOne(env);
      const at = inFuture(env.clock, 75 * DAY);
      env.controls.injectFault({ kind: 'lost_response', on: 'write' });
      await settleUnknownOutcome(env, (ctx) =>
        env.adapter.updateClient(created.ref, { expiry: { type: 'at', at }, trafficLimitBytes: 40 * GIB }, ctx),
      );
      expectFaultLanded(env);
      const read = await getExisting(env, created.ref);
      expectExpiry(read.expiry, { type: 'at', at });
      expect(read.trafficLimitBytes).toBe(40 * GIB);
      expect(await env.controls.countClients(created.ref.username)).toBe(1);
    });

    // The connection drops after the panel applied the request, before a byte of the answer. Each case first makes
    // two reads, so that a kept-alive connection that already carried an answer is idle when the write goes out: the
    // one an HTTP client is most tempted to send again at once, as if the panel had closed it before the request
    // arrived. (A pooled client may open a second connection while the first finishes its answer: two reads leave
    // one free.)
    const warm = async (username: string) => {
      for (let i = 0; i < 2; i++) await env.adapter.getClient(bareRef(env.target, username), env.ctx());
    };
    it('a create whose connection dropped after the panel applied it ends with exactly one client', async () => {
      const spec = env.spec();
      await warm(spec.identity.username);
      env.controls.injectFault({ kind: 'lost_connection', on: 'write' });
      const created = await settleUnknownOutcome(env, (ctx) => env.adapter.createClients(env.target, [spec], ctx));
      expectFaultLanded(env);
      expect(created.map((client) => client.ref.username)).toEqual([spec.identity.username]);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
      await createOne(env, spec);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('a batch create whose connection dropped after the panel applied it ends with exactly one client per spec', async () => {
      const specs = [env.spec(), env.spec(), env.spec()];
      await warm(specs[0]!.identity.username);
      env.controls.injectFault({ kind: 'lost_connection', on: 'write' });
      const created = await settleUnknownOutcome(env, (ctx) => env.adapter.createClients(env.target, specs, ctx));
      expectFaultLanded(env);
      expect(created.map((client) => client.ref.username)).toEqual(specs.map((spec) => spec.identity.username));
      for (const spec of specs) expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('an update whose connection dropped after the panel applied it is applied once and reads back', async () => {
      const created = await createOne(env);
      const at = inFuture(env.clock, 60 * DAY);
      await warm(created.ref.username);
      env.controls.injectFault({ kind: 'lost_connection', on: 'write' });
      await settleUnknownOutcome(env, (ctx) =>
        env.adapter.updateClient(created.ref, { expiry: { type: 'at', at }, trafficLimitBytes: 30 * GIB }, ctx),
      );
      expectFaultLanded(env);
      const read = await getExisting(env, created.ref);
      expectExpiry(read.expiry, { type: 'at', at });
      expect(read.trafficLimitBytes).toBe(30 * GIB);
      expect(await env.controls.countClients(created.ref.username)).toBe(1);
    });

    it('a delete whose connection dropped after the panel applied it leaves the client gone', async () => {
      const created = await createOne(env);
      await warm(created.ref.username);
      env.controls.injectFault({ kind: 'lost_connection', on: 'write' });
      await settleUnknownOutcome(env, (ctx) => env.adapter.deleteClient(created.ref, ctx));
      expectFaultLanded(env);
      expect(await env.adapter.getClient(created.ref, env.ctx())).toBeNull();
      expect(await env.controls.countClients(created.ref.username)).toBe(0);
    });

    it('a delete whose response was lost leaves the client gone', async () => {
      const created = await createOne(env);
      env.controls.injectFault({ kind: 'lost_response', on: 'write' });
      await settleUnknownOutcome(env, (ctx) => env.adapter.deleteClient(created.ref, ctx));
      expectFaultLanded(env);
      expect(await env.adapter.getClient(created.ref, env.ctx())).toBeNull();
      expect(await env.controls.countClients(created.ref.username)).toBe(0);
    });
  });
}
