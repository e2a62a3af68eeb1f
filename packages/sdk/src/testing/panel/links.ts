import { describe, expect, it } from 'vitest';
import { DAY, GIB, createOne, inFuture } from './support.js';
import type { PanelSuiteEnv } from './support.js';

/** Link schemes per target protocol; a protocol not listed here only needs some `scheme://` link. */
const SCHEMES: Record<string, readonly string[]> = {
  vless: ['vless'],
  vmess: ['vmess'],
  trojan: ['trojan'],
  shadowsocks: ['ss'],
  hysteria2: ['hysteria2', 'hy2'],
  hysteria: ['hysteria'],
  tuic: ['tuic'],
};

/**
 * A share link without its display name: the `#fragment` of URL-style links, and the `ps` field of
 * a `vmess://` base64 JSON link. Panels may put usage or expiry into the name; the rest is the
 * client's connection data and credentials.
 */
export function connectionPart(link: string): string {
  if (link.startsWith('vmess://')) {
    try {
      const json = JSON.parse(Buffer.from(link.slice('vmess://'.length), 'base64').toString('utf8')) as Record<string, unknown>;
      delete json['ps'];
      return `vmess://${JSON.stringify(Object.fromEntries(Object.entries(json).sort(([a], [b]) => a.localeCompare(b))))}`;
    } catch {
      return link;
    }
  }
  const hash = link.indexOf('#');
  return hash === -1 ? link : link.slice(0, hash);
}

/**
 * The credential a share link carries: the `id` of a `vmess://` link, otherwise the user part
 * before `@` (a UUID, a password, Shadowsocks' method and key). It is what stays the same when a
 * panel builds a client's links afresh with another address, SNI or short id.
 */
export function credentialPart(link: string): string {
  if (link.startsWith('vmess://')) {
    try {
      const json = JSON.parse(Buffer.from(link.slice('vmess://'.length), 'base64').toString('utf8')) as Record<string, unknown>;
      return `vmess://${String(json['id'])}`;
    } catch {
      return link;
    }
  }
  const scheme = link.indexOf('://');
  const at = link.indexOf('@', scheme + 3);
  return scheme === -1 || at === -1 ? connectionPart(link) : link.slice(0, at);
}

/**
 * What two reads of one client's links must agree on: every link but its name where the panel
 * keeps links stable (`capabilities.stableShareLinks`), otherwise the set of credentials they carry.
 */
export function linksFingerprint(links: readonly string[], stable: boolean): string[] {
  return stable ? links.map(connectionPart) : [...new Set(links.map(credentialPart))].sort();
}

function sameness(env: PanelSuiteEnv): (links: readonly string[]) => string[] {
  return (links) => linksFingerprint(links, env.adapter.capabilities.stableShareLinks);
}

export function linksSuite(env: PanelSuiteEnv): void {
  describe('links', () => {
    it('gives share links for the target protocol, and a subscription URL where the panel has one', async () => {
      const created = await createOne(env);
      const links = await env.adapter.links(created.ref, env.ctx());
      expect(links.shareLinks.length, 'at least one share link').toBeGreaterThan(0);
      for (const link of links.shareLinks) expect(link).toMatch(/^[a-z][a-z0-9+.-]*:\/\/\S+$/);
      const schemes = SCHEMES[env.target.protocol];
      if (schemes !== undefined) {
        const ours = links.shareLinks.filter((link) => schemes.some((scheme) => link.startsWith(`${scheme}://`)));
        expect(ours.length, `a ${schemes.join('/')}:// link for a ${env.target.protocol} target`).toBeGreaterThan(0);
      }
      if (env.panel.hasSubscriptionUrl === true) expect(links.subscriptionUrl).not.toBeNull();
      if (env.panel.hasSubscriptionUrl === false) expect(links.subscriptionUrl).toBeNull();
      if (links.subscriptionUrl !== null) expect(new URL(links.subscriptionUrl).protocol).toMatch(/^https?:$/);
    });

    it('two clients get different credentials; one client gets the same links again (the same credentials where links are not stable)', async () => {
      const [a, b] = await env.adapter.createClients(env.target, [env.spec(), env.spec()], env.ctx());
      const first = await env.adapter.links(a!.ref, env.ctx());
      const again = await env.adapter.links(a!.ref, env.ctx());
      const other = await env.adapter.links(b!.ref, env.ctx());
      const same = sameness(env);
      expect(same(again.shareLinks)).toEqual(same(first.shareLinks));
      const mine = new Set(first.shareLinks.map(credentialPart));
      for (const link of other.shareLinks) expect(mine.has(credentialPart(link)), 'a credential shared by two clients').toBe(false);
    });

    it('links returned with the create are the ones `links` gives (where the adapter returns them)', async (context) => {
      const created = await env.adapter.createClients(env.target, [env.spec(), env.spec()], env.ctx());
      context.skip(
        created.every((c) => c.links === undefined),
        'the adapter returns no links with the create: the engine asks `links`',
      );
      const same = sameness(env);
      for (const client of created) {
        expect(client.links, 'every client of a batch carries its links, or none does').toBeDefined();
        const given = client.links!;
        const read = await env.adapter.links(client.ref, env.ctx());
        expect(same(given.shareLinks)).toEqual(same(read.shareLinks));
        expect(given.subscriptionUrl === null).toBe(read.subscriptionUrl === null);
        if (given.subscriptionUrl !== null && read.subscriptionUrl !== null)
          expect(new URL(given.subscriptionUrl).origin).toBe(new URL(read.subscriptionUrl).origin);
      }
    });

    it('an in-place update keeps the links and credentials', async (context) => {
      context.skip(!env.adapter.capabilities.inPlaceUpdate, 'the panel does not update clients in place');
      const created = await createOne(env);
      const before = await env.adapter.links(created.ref, env.ctx());
      const updated = await env.adapter.updateClient(
        created.ref,
        { expiry: { type: 'at', at: inFuture(env.clock, 90 * DAY) }, trafficLimitBytes: 50 * GIB, enabled: false },
        env.ctx(),
      );
      await env.adapter.updateClient(updated.ref, { enabled: true }, env.ctx());
      const after = await env.adapter.links(updated.ref, env.ctx());
      const same = sameness(env);
      expect(same(after.shareLinks)).toEqual(same(before.shareLinks));
      if (created.ref.remoteClientId != null) expect(updated.ref.remoteClientId).toBe(created.ref.remoteClientId);
    });
  });
}
