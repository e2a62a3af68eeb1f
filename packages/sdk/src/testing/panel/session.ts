import { describe, expect, it } from 'vitest';
import { createOne, expectPanelError, getExisting } from './support.js';
import type { PanelSuiteEnv } from './support.js';

function usesLogin(env: PanelSuiteEnv): boolean {
  return (env.panel.sessionKind ?? 'login') === 'login';
}

export function sessionSuite(env: PanelSuiteEnv): void {
  describe('session', () => {
    it('many calls share one login', async (context) => {
      context.skip(!usesLogin(env), 'the adapter uses a static token');
      await env.adapter.health(env.ctx());
      const created = await createOne(env);
      await getExisting(env, created.ref);
      await env.adapter.listTargets(env.ctx());
      await env.adapter.listClients({}, env.ctx());
      await env.adapter.deleteClient(created.ref, env.ctx());
      expect(env.controls.loginCount()).toBe(1);
    });

    it('an expired session is renewed with exactly one more login, and the call succeeds', async (context) => {
      context.skip(!usesLogin(env), 'the adapter uses a static token');
      const created = await createOne(env);
      const logins = env.controls.loginCount();
      env.controls.expireSession();
      expect((await getExisting(env, created.ref)).ref.username).toBe(created.ref.username);
      expect(env.controls.loginCount()).toBe(logins + 1);
      await getExisting(env, created.ref);
      expect(env.controls.loginCount()).toBe(logins + 1);
    });

    it('a write after the session expired happens once, after one login', async (context) => {
      context.skip(!usesLogin(env), 'the adapter uses a static token');
      await env.adapter.health(env.ctx());
      const logins = env.controls.loginCount();
      env.controls.expireSession();
      const spec = env.spec();
      await createOne(env, spec);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
      expect(env.controls.loginCount()).toBe(logins + 1);
    });

    it('concurrent calls that find the session expired share one login', async (context) => {
      context.skip(!usesLogin(env), 'the adapter uses a static token');
      const created = await env.adapter.createClients(env.target, [env.spec(), env.spec(), env.spec()], env.ctx());
      const logins = env.controls.loginCount();
      env.controls.expireSession();
      const read = await Promise.all(created.map((client) => getExisting(env, client.ref)));
      expect(read.map((client) => client.ref.username)).toEqual(created.map((client) => client.ref.username));
      expect(env.controls.loginCount()).toBe(logins + 1);
    });

    it('an invalidated static token is a PanelAuthError, not retried', async (context) => {
      context.skip(usesLogin(env), 'the adapter logs in and renews its session');
      const created = await createOne(env);
      env.controls.expireSession();
      await expectPanelError(env, env.adapter.getClient(created.ref, env.ctx()), 'PanelAuthError', false);
      expect(env.controls.loginCount()).toBe(0);
    });
  });
}
