import { afterAll, describe, expect, it } from 'vitest';
import { createId } from '@panelkit/sdk';
import { pendingSubscriptionInput, seedSaleCatalog, sharedPGlite } from './helpers.js';
import { recordingStorage } from './support/recorded-storage.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

const TERMS = { deviceLimit: 2, noHwidPolicy: 'serve' } as const;
const phone = { hwid: 'hw-phone', platform: 'ios', model: 'iPhone 16', app: 'Happ' };

describe('devices on PostgreSQL: what a refresh and a registration send', () => {
  it('refresh is one UPDATE outside a transaction; a registration in the caller’s transaction sends all of it there', async () => {
    const { storage, statements, clock, cleanup } = await recordingStorage(pglite);
    const catalog = await seedSaleCatalog(storage);
    const sub = await storage.subscriptions.create(pendingSubscriptionInput(catalog, createId('sub')));

    // A registration with an audit event, as the engine writes them: one transaction.
    statements.length = 0;
    await storage.transaction(async (tx) => {
      const touched = await tx.devices.touch({ subscriptionId: sub.id, device: phone, terms: TERMS });
      expect(touched.outcome).toBe('registered');
      await tx.audit.append({
        actor: { type: 'customer', id: null },
        action: 'device.registered',
        subjectType: 'subscription',
        subjectId: sub.id,
      });
    });
    // No savepoint: the refresh's UPDATE (nothing found), the lock, the count, the insert, then the audit event.
    expect(statements.map((s) => s.split(' ')[0])).toEqual(['BEGIN', 'UPDATE', 'SELECT', 'SELECT', 'INSERT', 'INSERT']);
    expect(statements[2]).toContain('FOR NO KEY UPDATE');

    // The hot path: a known device refreshed, one statement, no transaction.
    clock.advance(60_000);
    statements.length = 0;
    expect(await storage.devices.refresh({ subscriptionId: sub.id, device: { ...phone, model: 'iPhone 17' } })).toMatchObject({
      model: 'iPhone 17',
      lastSeenAt: clock.now(),
    });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^UPDATE \S+\.devices SET/);
    // Seen recently and described as stored: still one statement, which reads it and writes nothing.
    const stored = (await storage.devices.list(sub.id))[0]!;
    clock.advance(60_000);
    statements.length = 0;
    const seenAfter = new Date(clock.now().getTime() - 120_000);
    expect(await storage.devices.refresh({ subscriptionId: sub.id, device: { ...phone, model: 'iPhone 17' }, seenAfter })).toEqual(stored);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^WITH known AS/);
    expect(await storage.devices.list(sub.id)).toEqual([stored]);
    // An unknown one: the same one statement, writing nothing.
    statements.length = 0;
    expect(await storage.devices.refresh({ subscriptionId: sub.id, device: { hwid: 'hw-other' } })).toBeNull();
    expect(statements).toHaveLength(1);
    expect(await storage.devices.list(sub.id)).toHaveLength(1);
    await cleanup();
  });
});
