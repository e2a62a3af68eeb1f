/**
 * The config files' addresses and rule, as a host uses them: an address built by `configFileUrl`/`configsZipUrl`,
 * routed the way a host's router hands it to `createConfigFilesHandler` (the path after the link, decoded), is the
 * file the handler answers; `servesConfigFile` names exactly the parts it answers for.
 */
import { randomBytes } from 'node:crypto';
import type { Subscription } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { describe, expect, it } from 'vitest';
import { createConfigFilesHandler } from '../src/config-files.js';
import { configFileOf, configFileUrl, configsZipUrl, isUsablePart, servesConfigFile } from '../src/config-paths.js';
import type { FeedKit } from '../src/handler.js';
import { SUBSCRIPTION_STATUSES } from '@panelkit/sdk';

const LINK = 'https://shop.example/s/tok_1';
const key = () => encodeURIComponent(randomBytes(32).toString('base64'));
const WG = `wireguard://${key()}@203.0.113.1:51820?address=10.0.0.2&publickey=${key()}#DE`;

/** The path after the link as a router decodes it (what `FeedFileRequest.file` carries). */
const fileOf = (url: string) => decodeURIComponent(url.slice(LINK.length + 1));

describe('the config files’ addresses', () => {
  it('are under the link, and read back as the file they name (an id needing escapes included)', () => {
    expect(configFileUrl(LINK, 'sub_1')).toBe(`${LINK}/config/sub_1.conf`);
    expect(configsZipUrl(LINK)).toBe(`${LINK}/configs.zip`);
    expect(configFileUrl(LINK, 'a b?')).toBe(`${LINK}/config/a%20b%3F.conf`);
    expect(configFileOf(fileOf(configFileUrl(LINK, 'a b?')))).toEqual({ form: 'conf', subscriptionId: 'a b?' });
    expect(configFileOf(fileOf(configsZipUrl(LINK)))).toEqual({ form: 'zip' });
    for (const other of ['config/x.txt', 'config/a/b.conf', 'configs.tar', '', 'config/.conf'])
      expect(configFileOf(other), other).toBeNull();
  });

  it('are what the handler serves, for exactly the parts servesConfigFile names', async () => {
    const part = (id: string, kind: EntitlementKind, status: Subscription['status']) =>
      ({
        id,
        kind,
        status,
        shareLinks: [kind === 'mtproto' ? 'tg://proxy?port=443&secret=ee00&server=h' : WG],
        createdAt: new Date(0),
      }) as Subscription;
    const parts = SUBSCRIPTION_STATUSES.flatMap((status) =>
      (['xray', 'wireguard', 'amneziawg', 'mtproto'] as const).map((kind) => part(`${kind}-${status}`, kind, status)),
    );
    const kit: FeedKit = {
      links: { resolve: async () => null, scope: async () => ({ customerId: 'cus_1', subscriptions: parts }) },
      customers: { subscriptions: async () => parts },
      devices: { touch: async () => ({ served: true, outcome: 'uncounted', device: null }) },
    };
    const files = createConfigFilesHandler({ kit });
    for (const sub of parts) {
      const got = await files({ token: 'tok_1', method: 'HEAD', headers: {}, file: fileOf(configFileUrl(LINK, sub.id)) });
      expect(got.status, sub.id).toBe(servesConfigFile(sub) ? 200 : 404);
    }
    expect(parts.filter(servesConfigFile).map((s) => s.id)).toEqual([
      'wireguard-active',
      'amneziawg-active',
      'wireguard-on_hold',
      'amneziawg-on_hold',
    ]);
    expect(SUBSCRIPTION_STATUSES.filter((status) => isUsablePart({ status }))).toEqual(['active', 'on_hold']);
    const zip = await files({ token: 'tok_1', method: 'HEAD', headers: {}, file: fileOf(configsZipUrl(LINK)) });
    expect(zip.status).toBe(200);
  });
});
