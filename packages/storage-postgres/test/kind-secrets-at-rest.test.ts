import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createId, createSecretBox, deriveRemoteIdentity, generateSecretKey } from '@panelkit/sdk';
import { mtprotoSecret } from '@panelkit/sdk/adapter';
import type { SecretBox, Subscription } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import type { SqlClient } from '../src/index.js';
import { type SaleCatalog, pendingSubscriptionInput, seedSaleCatalog, sharedPGlite, storageInFreshSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

/** A fresh identity secret per run, so a key found in a row can only have come from this test. */
const identitySecret = `kind-secrets-${randomBytes(9).toString('hex')}`;

/** A provisioned WireGuard or MTProto part, with the share link its adapter would return (holding the credential). */
async function provisioned(catalog: SaleCatalog, storage: StoragePort, kind: EntitlementKind): Promise<Subscription> {
  const id = createId('sub');
  const remote = deriveRemoteIdentity(id, 0, { secret: identitySecret }, kind);
  const created = await storage.subscriptions.create(pendingSubscriptionInput(catalog, id, { kind, remote }));
  const link =
    remote.mtproto === undefined
      ? `wireguard://${remote.wireguard!.privateKey}@de.example.com:51820/?address=10.8.0.2%2F32&publickey=${remote.wireguard!.publicKey}#de`
      : `tg://proxy?port=443&secret=${mtprotoSecret(remote.mtproto.secretCore, 'ee', 'www.example.com')}&server=de.example.com`;
  return storage.subscriptions.update(id, { status: 'active', shareLinks: [link] }, { expectedRevision: created.revision });
}

/** What must never be readable in the row: the WireGuard private key, or the MTProto secret core. */
function credentialOf(sub: Subscription): string {
  return sub.remote.wireguard?.privateKey ?? sub.remote.mtproto!.secretCore;
}

/** The subscription's row as PostgreSQL prints it: what a dump or a look at the table shows. */
async function rawRow(client: SqlClient, schema: string, id: string): Promise<string> {
  const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}".subscriptions t WHERE id = $1`, [id]);
  expect(rows).toHaveLength(1);
  return rows[0]!.row;
}

async function storedParts(box: SecretBox | undefined) {
  const client = await pglite.client();
  const { storage, schema, cleanup } = await storageInFreshSchema(client, new ManualClock(), box);
  const catalog = await seedSaleCatalog(storage);
  const parts = [];
  for (const kind of ['wireguard', 'amneziawg', 'mtproto'] as const) parts.push(await provisioned(catalog, storage, kind));
  return { client, storage, schema, cleanup, parts };
}

describe('WireGuard and MTProto credentials at rest (PGlite, port 28)', () => {
  it('with a secret box, no raw row holds a private key or a secret core in plain text; the storage reads them back', async () => {
    const { client, storage, schema, cleanup, parts } = await storedParts(createSecretBox([generateSecretKey('k1')]));
    for (const sub of parts) {
      const row = await rawRow(client, schema, sub.id);
      expect(row).not.toContain(credentialOf(sub));
      expect(row).not.toContain(sub.shareLinks[0]!);
      // The kind and the username stay readable: neither opens anything.
      expect(row).toContain(sub.kind);
      expect(row).toContain(sub.remote.username);
      expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
    }
    await cleanup();
  });

  it('without a box the same rows hold them in plain text (what the box prevents)', async () => {
    const { client, schema, cleanup, parts } = await storedParts(undefined);
    for (const sub of parts) expect(await rawRow(client, schema, sub.id)).toContain(credentialOf(sub));
    await cleanup();
  });
});
