import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seedCustomer } from './fixtures.js';
import { deferred, expectRejects, settle } from './support.js';
import type { SuiteEnv } from './support.js';

/** A fresh identity key of a kind, as the SDK makes them (`kind:` and 64 hex digits). */
function key(kind = 'email'): string {
  return `${kind}:${randomBytes(32).toString('hex')}`;
}

/** A family name no other case uses. */
function family(): string {
  return `family-${randomBytes(6).toString('hex')}`;
}

/**
 * Trial claims (`trialClaims`): one customer per key and family, all or none, one winner under concurrency, and a claim
 * of a key an open transaction claimed waiting for it whoever claimed it.
 */
export function trialClaimsSuite(env: SuiteEnv): void {
  describe('trial claims', () => {
    it('a key claimed by one customer refuses another in the same family, names the held keys, and stores none of the claim', async () => {
      const { storage } = env;
      const [a, b] = [await seedCustomer(storage), await seedCustomer(storage)];
      const f = family();
      const [shared, fresh, other] = [key(), key('hwid'), key('phone')];
      expect(await storage.trialClaims.claim({ family: f, keys: [shared], customerId: a.id })).toEqual({ claimed: true });
      expect(await storage.trialClaims.claim({ family: f, keys: [fresh, shared], customerId: b.id })).toEqual({
        claimed: false,
        heldKeys: [shared],
      });
      // `fresh` was not stored by the refused claim: a third customer may claim it.
      const c = await seedCustomer(storage);
      expect(await storage.trialClaims.claim({ family: f, keys: [fresh, other], customerId: c.id })).toEqual({ claimed: true });
    });

    it('the same customer claiming its own keys again is fine; another family is another claim', async () => {
      const { storage } = env;
      const [a, b] = [await seedCustomer(storage), await seedCustomer(storage)];
      const f = family();
      const k = key('telegram');
      expect(await storage.trialClaims.claim({ family: f, keys: [k], customerId: a.id })).toEqual({ claimed: true });
      expect(await storage.trialClaims.claim({ family: f, keys: [k, key()], customerId: a.id })).toEqual({ claimed: true });
      expect(await storage.trialClaims.claim({ family: family(), keys: [k], customerId: b.id })).toEqual({ claimed: true });
    });

    it('a claim inside a transaction that rolls back leaves the key free', async () => {
      const { storage } = env;
      const [a, b] = [await seedCustomer(storage), await seedCustomer(storage)];
      const f = family();
      const k = key();
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.trialClaims.claim({ family: f, keys: [k], customerId: a.id })).toEqual({ claimed: true });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await storage.trialClaims.claim({ family: f, keys: [k], customerId: b.id })).toEqual({ claimed: true });
    });

    it('two customers claiming the same keys at once, over several replicas: exactly one wins', async () => {
      const storages = await env.replicas(4);
      const customers = await Promise.all(Array.from({ length: 8 }, () => seedCustomer(env.storage)));
      const f = family();
      const [k1, k2] = [key(), key('hwid')];
      const { values, errors } = await settle(
        customers.map((c, i) =>
          storages[i % storages.length]!.transaction((tx) =>
            tx.trialClaims.claim({ family: f, keys: i % 2 === 0 ? [k1, k2] : [k2, k1], customerId: c.id }),
          ),
        ),
      );
      expect(errors).toEqual([]);
      expect(values.filter((v) => v.claimed)).toHaveLength(1);
      expect(values.filter((v) => !v.claimed)).toHaveLength(customers.length - 1);
    });

    it('a claim of a key another open transaction claimed waits for it, for the same customer too, then reads what it wrote', async () => {
      const { storage } = env;
      const [first, second] = await env.replicas(2);
      const a = await seedCustomer(storage);
      const f = family();
      const k = key('account');
      const marker = `claimed-${randomBytes(6).toString('hex')}`;
      const claimed = deferred();
      const gate = deferred();
      const one = first!.transaction(async (tx) => {
        const result = await tx.trialClaims.claim({ family: f, keys: [k], customerId: a.id });
        claimed.resolve();
        // Holds the claim, uncommitted, while the other claims; what it writes next is what the other must then read.
        await gate.promise;
        await tx.audit.append({ actor: { type: 'system' }, action: 'trial.taken', subjectType: 'trial_test', subjectId: marker, data: {} });
        return result;
      });
      await claimed.promise;
      let returned = false;
      const two = second!.transaction(async (tx) => {
        const result = await tx.trialClaims.claim({ family: f, keys: [k, key('hwid')], customerId: a.id });
        returned = true;
        const seen = await tx.audit.list({ subjectType: 'trial_test', subjectId: marker }, { limit: 5 });
        return { result, seen: seen.items.length };
      });
      // Time for the second claim to reach the key (on a database storage it then waits for the first transaction).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const waited = !returned;
      gate.resolve();
      expect(await one).toEqual({ claimed: true });
      expect(await two).toEqual({ result: { claimed: true }, seen: 1 });
      expect(waited).toBe(true);
    });

    it('bad input is a ValidationError and a missing customer a NotFoundError; neither stores anything', async () => {
      const { storage } = env;
      const a = await seedCustomer(storage);
      const f = family();
      await expectRejects(storage.trialClaims.claim({ family: f, keys: [], customerId: a.id }), 'ValidationError');
      await expectRejects(storage.trialClaims.claim({ family: '', keys: [key()], customerId: a.id }), 'ValidationError');
      await expectRejects(storage.trialClaims.claim({ family: f, keys: ['x'.repeat(201)], customerId: a.id }), 'ValidationError');
      await expectRejects(
        storage.trialClaims.claim({ family: f, keys: Array.from({ length: 21 }, () => key()), customerId: a.id }),
        'ValidationError',
      );
      const k = key();
      await expectRejects(storage.trialClaims.claim({ family: f, keys: [k], customerId: 'cus_missing' }), 'NotFoundError');
      const b = await seedCustomer(storage);
      expect(await storage.trialClaims.claim({ family: f, keys: [k], customerId: b.id })).toEqual({ claimed: true });
    });
  });
}
