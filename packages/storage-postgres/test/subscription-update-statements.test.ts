import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, createId, deriveRemoteIdentity } from '@panelkit/sdk';
import type { Subscription } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { pendingSubscriptionInput, seedSaleCatalog, sharedPGlite } from './helpers.js';
import { recordingStorage } from './support/recorded-storage.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());
const recordedStorage = () => recordingStorage(pglite);

/** A pending subscription with credentials. */
async function seed(storage: StoragePort) {
  const catalog = await seedSaleCatalog(storage);
  return storage.subscriptions.create(pendingSubscriptionInput(catalog, createId('sub'), { shareLinks: ['vless://secret-link'] }));
}

describe('subscriptions.update on PostgreSQL: one statement', () => {
  it('sends one UPDATE alone or in a transaction, writing only the patched columns', async () => {
    const { storage, statements, clock, row, cleanup } = await recordedStorage();
    const sub = await seed(storage);
    const stored = await row(sub.id);
    clock.advance(60_000);

    statements.length = 0;
    const active = await storage.subscriptions.update(sub.id, { status: 'active', usedBytes: 5 }, { expectedRevision: sub.revision });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^UPDATE /);
    // The credentials it did not patch are not written (so neither opened nor sealed again).
    expect(statements[0]).not.toMatch(/\b(remote|remote_client_id|subscription_url|share_links) =/);
    expect(active).toMatchObject({
      status: 'active',
      usedBytes: 5,
      revision: sub.revision + 1,
      statusChangedAt: clock.now(),
      updatedAt: clock.now(),
    });
    expect(active.shareLinks).toEqual(['vless://secret-link']);
    expect((await row(sub.id))['share_links']).toEqual(stored['share_links']);

    statements.length = 0;
    const renewed = await storage.transaction((tx) =>
      tx.subscriptions.update(sub.id, { autoRenew: true }, { expectedRevision: active.revision }),
    );
    expect(statements.filter((s) => s !== 'BEGIN')).toHaveLength(1);
    expect(renewed).toMatchObject({ autoRenew: true, revision: active.revision + 1 });
    expect(await storage.subscriptions.get(sub.id)).toEqual(renewed);
    await cleanup();
  });

  it('moves statusChangedAt only when the status changes, unless the patch gives it', async () => {
    const { storage, clock, cleanup } = await recordedStorage();
    const sub = await seed(storage);
    clock.advance(60_000);
    const same = await storage.subscriptions.update(sub.id, { status: 'pending' }, { expectedRevision: 0 });
    expect(same.statusChangedAt).toEqual(sub.statusChangedAt);
    clock.advance(60_000);
    const changed = await storage.subscriptions.update(sub.id, { status: 'active' }, { expectedRevision: 1 });
    expect(changed.statusChangedAt).toEqual(clock.now());
    const given = new Date('2025-06-01T00:00:00Z');
    const backdated = await storage.subscriptions.update(sub.id, { status: 'suspended', statusChangedAt: given }, { expectedRevision: 2 });
    expect(backdated.statusChangedAt).toEqual(given);
    await cleanup();
  });

  it('a patched credential is sealed; a stale revision or a missing row costs one read more and changes nothing', async () => {
    const { storage, statements, row, cleanup } = await recordedStorage();
    const sub = await seed(storage);
    const remote = deriveRemoteIdentity(sub.id, 1, { secret: 'update-statements-secret' });
    const moved = await storage.subscriptions.update(
      sub.id,
      { remote, subscriptionUrl: 'https://sub.example.com/x' },
      { expectedRevision: 0 },
    );
    expect(moved).toMatchObject({ remote, subscriptionUrl: 'https://sub.example.com/x' });
    const raw = await row(sub.id);
    expect(raw['remote']).toMatchObject({ username: remote.username, generation: 1, sealed: expect.any(String) });
    expect(JSON.stringify(raw['remote'])).not.toContain(remote.uuid);
    expect(String(raw['subscription_url'])).not.toContain('sub.example.com');
    expect(raw['remote_username']).toBe(remote.username);

    statements.length = 0;
    const stale = await storage.subscriptions.update(sub.id, { status: 'active' }, { expectedRevision: 0 }).catch((e: unknown) => e);
    expect(ConflictError.is(stale)).toBe(true);
    expect((stale as ConflictError).message).toBe(`subscription ${sub.id} is at revision 1, not 0`);
    expect((stale as ConflictError).details).toEqual({ id: sub.id, revision: 1, expectedRevision: 0 });
    expect(statements).toHaveLength(2);
    const missing = await storage.subscriptions
      .update('sub_missing', { status: 'active' }, { expectedRevision: 0 })
      .catch((e: unknown) => e);
    expect(NotFoundError.is(missing)).toBe(true);
    expect(await storage.subscriptions.get(sub.id)).toEqual(moved);
    await cleanup();
  });
});

describe('subscriptions.updateMany on PostgreSQL: one statement', () => {
  it('sends one statement for rows with different patches, alone or in a transaction, sealing only what is patched', async () => {
    const { storage, statements, clock, row, cleanup } = await recordedStorage();
    const catalog = await seedSaleCatalog(storage);
    const [a, b] = (await Promise.all(
      [createId('sub'), createId('sub')].map((id) =>
        storage.subscriptions.create(pendingSubscriptionInput(catalog, id, { shareLinks: ['vless://secret-link'] })),
      ),
    )) as [Subscription, Subscription];
    const storedB = await row(b.id);
    clock.advance(60_000);
    const remote = deriveRemoteIdentity(a.id, 1, { secret: 'update-many-secret' });

    statements.length = 0;
    const written = await storage.subscriptions.updateMany([
      { id: a.id, patch: { status: 'active', remote, subscriptionUrl: 'https://sub.example.com/a' }, expectedRevision: a.revision },
      { id: b.id, patch: { usedBytes: 9 }, expectedRevision: b.revision },
    ]);
    expect(statements).toHaveLength(1);
    expect(written[0]).toMatchObject({
      status: 'active',
      remote,
      subscriptionUrl: 'https://sub.example.com/a',
      statusChangedAt: clock.now(),
    });
    expect(written[1]).toMatchObject({ usedBytes: 9, shareLinks: ['vless://secret-link'], statusChangedAt: b.statusChangedAt });
    const rawA = await row(a.id);
    expect(JSON.stringify(rawA['remote'])).not.toContain(remote.uuid);
    expect(rawA['remote_username']).toBe(remote.username);
    expect(String(rawA['subscription_url'])).not.toContain('sub.example.com');
    // b's credentials were not patched: stored as they were, neither opened nor sealed again.
    const rawB = await row(b.id);
    expect(rawB['share_links']).toEqual(storedB['share_links']);
    expect(rawB['remote']).toEqual(storedB['remote']);

    statements.length = 0;
    const again = await storage.transaction((tx) =>
      tx.subscriptions.updateMany([
        { id: a.id, patch: { autoRenew: true }, expectedRevision: a.revision },
        { id: b.id, patch: { autoRenew: true }, expectedRevision: b.revision + 1 },
      ]),
    );
    expect(statements.filter((s) => s !== 'BEGIN' && s !== 'COMMIT')).toHaveLength(1);
    expect(again[0]).toBeNull();
    expect(again[1]).toMatchObject({ autoRenew: true, revision: b.revision + 2 });
    expect(await storage.subscriptions.get(a.id)).toEqual(written[0]);
    await cleanup();
  });
});
