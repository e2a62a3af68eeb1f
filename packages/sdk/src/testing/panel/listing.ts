import { describe, expect, it } from 'vitest';
import { getExisting, listAll } from './support.js';
import type { PanelSuiteEnv } from './support.js';

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) (seen.has(name) ? twice : seen).add(name);
  return [...twice];
}

export function listingSuite(env: PanelSuiteEnv): void {
  describe('listing', () => {
    it('pages with a small limit cover every client exactly once', async () => {
      const specs = [env.spec(), env.spec(), env.spec(), env.spec(), env.spec()];
      await env.adapter.createClients(env.target, specs, env.ctx());
      const { items, pages } = await listAll(env, 2);
      const names = items.map((item) => item.ref.username);
      expect(duplicates(names), 'clients listed twice').toEqual([]);
      for (const spec of specs) expect(names, `${spec.identity.username} is listed`).toContain(spec.identity.username);
      for (const page of pages) expect(page.items.length, 'a page holds at most `limit` clients').toBeLessThanOrEqual(2);
      for (const item of items) {
        expect(Number.isSafeInteger(item.usedBytes) && item.usedBytes >= 0).toBe(true);
        expect(typeof item.ref.target.remoteRef).toBe('string');
      }
      // The engine reconciles from listed refs: they must work for reads as they are.
      for (const spec of specs) {
        const listed = items.find((item) => item.ref.username === spec.identity.username)!;
        expect((await getExisting(env, listed.ref)).ref.username).toBe(spec.identity.username);
      }
    });

    it('the same cursor gives the same page while the panel does not change', async () => {
      await env.adapter.createClients(env.target, [env.spec(), env.spec(), env.spec()], env.ctx());
      const first = await env.adapter.listClients({ limit: 2 }, env.ctx());
      expect(first.nextCursor, 'three clients in pages of two need a second page').not.toBeNull();
      const second = await env.adapter.listClients({ cursor: first.nextCursor, limit: 2 }, env.ctx());
      const again = await env.adapter.listClients({ cursor: first.nextCursor, limit: 2 }, env.ctx());
      const names = (page: typeof second) => page.items.map((item) => item.ref.username);
      expect(names(again)).toEqual(names(second));
      expect(again.nextCursor).toEqual(second.nextCursor);
      const firstNames = new Set(names(first));
      for (const name of names(second)) expect(firstNames.has(name), `${name} on two pages`).toBe(false);
    });

    it('one walk with the default limit lists every client with its usage', async () => {
      const specs = [env.spec(), env.spec()];
      await env.adapter.createClients(env.target, specs, env.ctx());
      await env.controls.addTraffic(specs[1]!.identity.username, 123, 456);
      const { items } = await listAll(env);
      expect(duplicates(items.map((item) => item.ref.username))).toEqual([]);
      const usage = new Map(items.map((item) => [item.ref.username, item.usedBytes]));
      expect(usage.get(specs[0]!.identity.username)).toBe(0);
      expect(usage.get(specs[1]!.identity.username)).toBe(579);
    });
  });
}
