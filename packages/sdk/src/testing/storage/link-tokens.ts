import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LinkTokenCandidate } from '../../ports/storage-link-tokens.js';
import { MAX_ROWS_PER_CALL } from '../../ports/storage.js';
import { seedCustomer } from './fixtures.js';
import { expectRejects, MINUTE, settle } from './support.js';
import type { SuiteEnv } from './support.js';

/** A fresh candidate: a random nonce and the SHA-256 of a token standing in for the one the SDK would derive. */
function candidate(): LinkTokenCandidate {
  const nonce = randomBytes(16).toString('base64url');
  return { nonce, tokenHash: createHash('sha256').update(`token:${nonce}`).digest('hex') };
}

/** Each customer's one link token (`linkTokens`): made once under concurrency, dead at once when rotated. */
export function linkTokensSuite(env: SuiteEnv): void {
  describe('link tokens', () => {
    it('ensure stores the first candidate and returns its nonce; later ones change nothing and get the stored nonce', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const [first, second] = [candidate(), candidate()];
      expect(await storage.linkTokens.customerByHash(first.tokenHash)).toBeNull();
      expect(await storage.linkTokens.ensure(customer.id, first)).toBe(first.nonce);
      expect(await storage.linkTokens.ensure(customer.id, second)).toBe(first.nonce);
      expect(await storage.linkTokens.customerByHash(first.tokenHash)).toBe(customer.id);
      expect(await storage.linkTokens.customerByHash(second.tokenHash)).toBeNull();
    });

    it('first uses by many callers at once, over several replicas, all agree on one token', async () => {
      const storages = await env.replicas(4);
      const customer = await seedCustomer(env.storage);
      const candidates = Array.from({ length: 12 }, candidate);
      const { values, errors } = await settle(candidates.map((c, i) => storages[i % storages.length]!.linkTokens.ensure(customer.id, c)));
      expect(errors).toEqual([]);
      expect(new Set(values).size).toBe(1);
      const winner = candidates.find((c) => c.nonce === values[0])!;
      const owners = await Promise.all(candidates.map((c) => env.storage.linkTokens.customerByHash(c.tokenHash)));
      expect(owners.filter((owner) => owner !== null)).toEqual([customer.id]);
      expect(await env.storage.linkTokens.customerByHash(winner.tokenHash)).toBe(customer.id);
    });

    it('ensureMany answers each customer its stored nonce in the order asked, storing a first candidate for those without', async () => {
      const { storage } = env;
      const [had, fresh, other] = [await seedCustomer(storage), await seedCustomer(storage), await seedCustomer(storage)];
      const held = candidate();
      await storage.linkTokens.ensure(had.id, held);
      const [forFresh, again, forHad, forOther] = [candidate(), candidate(), candidate(), candidate()];
      const nonces = await storage.linkTokens.ensureMany([
        { customerId: fresh.id, candidate: forFresh },
        { customerId: had.id, candidate: forHad },
        { customerId: fresh.id, candidate: again },
        { customerId: other.id, candidate: forOther },
      ]);
      expect(nonces).toEqual([forFresh.nonce, held.nonce, forFresh.nonce, forOther.nonce]);
      expect(await storage.linkTokens.customerByHash(forFresh.tokenHash)).toBe(fresh.id);
      for (const unused of [again, forHad]) expect(await storage.linkTokens.customerByHash(unused.tokenHash)).toBeNull();
      expect(await storage.linkTokens.ensure(other.id, candidate())).toBe(forOther.nonce);
      expect(await storage.linkTokens.ensureMany([])).toEqual([]);
    });

    it('ensureMany over overlapping customers from several replicas at once: one token a customer, every caller told it', async () => {
      const storages = await env.replicas(4);
      const customers = await Promise.all(Array.from({ length: 6 }, () => seedCustomer(env.storage)));
      // Each caller asks for the customers in its own order, so two calls' rows meet in both orders.
      const calls = Array.from({ length: 8 }, (_, i) => {
        const order = i % 2 === 0 ? customers : [...customers].reverse();
        return order.map((c) => ({ customerId: c.id, candidate: candidate() }));
      });
      const { values, errors } = await settle(calls.map((requests, i) => storages[i % storages.length]!.linkTokens.ensureMany(requests)));
      expect(errors).toEqual([]);
      for (const customer of customers) {
        const told = new Set(values.flatMap((nonces, i) => nonces.filter((_, j) => calls[i]![j]!.customerId === customer.id)));
        expect(told.size).toBe(1);
        expect(await env.storage.linkTokens.ensure(customer.id, candidate())).toBe([...told][0]);
      }
    });

    it('ensureMany is all or none: a missing customer, a bad candidate or a held hash stores nothing', async () => {
      const { storage } = env;
      const [a, b] = [await seedCustomer(storage), await seedCustomer(storage)];
      const held = candidate();
      await storage.linkTokens.ensure(a.id, held);
      const c = candidate();
      await expectRejects(
        storage.linkTokens.ensureMany([
          { customerId: b.id, candidate: c },
          { customerId: 'cus_missing', candidate: candidate() },
        ]),
        'NotFoundError',
      );
      await expectRejects(
        storage.linkTokens.ensureMany([
          { customerId: b.id, candidate: c },
          { customerId: a.id, candidate: { nonce: 'has space', tokenHash: c.tokenHash } },
        ]),
        'ValidationError',
      );
      const fresh = await seedCustomer(storage);
      await expectRejects(
        storage.linkTokens.ensureMany([
          { customerId: b.id, candidate: c },
          { customerId: fresh.id, candidate: { nonce: candidate().nonce, tokenHash: held.tokenHash } },
        ]),
        'ConflictError',
      );
      expect(await storage.linkTokens.customerByHash(c.tokenHash)).toBeNull();
      expect(await storage.linkTokens.customersAfter('', 10)).toEqual([a.id]);
      const tooMany = Array.from({ length: MAX_ROWS_PER_CALL + 1 }, () => ({ customerId: b.id, candidate: c }));
      await expectRejects(storage.linkTokens.ensureMany(tooMany), 'ValidationError');
    });

    it('rotate makes the old token resolve to nothing at once and the new one to the customer', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const [old, fresh] = [candidate(), candidate()];
      await storage.linkTokens.ensure(customer.id, old);
      clock.advance(MINUTE);
      await storage.linkTokens.rotate(customer.id, fresh);
      expect(await storage.linkTokens.customerByHash(old.tokenHash)).toBeNull();
      expect(await storage.linkTokens.customerByHash(fresh.tokenHash)).toBe(customer.id);
      expect(await storage.linkTokens.ensure(customer.id, candidate())).toBe(fresh.nonce);
    });

    it('rotate stores a token for a customer who had none', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const fresh = candidate();
      await storage.linkTokens.rotate(customer.id, fresh);
      expect(await storage.linkTokens.customerByHash(fresh.tokenHash)).toBe(customer.id);
      expect(await storage.linkTokens.ensure(customer.id, candidate())).toBe(fresh.nonce);
    });

    it('of concurrent rotations exactly one token is left, and it is the one ensure returns', async () => {
      const storages = await env.replicas(4);
      const customer = await seedCustomer(env.storage);
      await env.storage.linkTokens.ensure(customer.id, candidate());
      const candidates = Array.from({ length: 8 }, candidate);
      const { errors } = await settle(candidates.map((c, i) => storages[i % storages.length]!.linkTokens.rotate(customer.id, c)));
      expect(errors).toEqual([]);
      const live = [];
      for (const c of candidates) if ((await env.storage.linkTokens.customerByHash(c.tokenHash)) !== null) live.push(c.nonce);
      expect(live).toHaveLength(1);
      expect(await env.storage.linkTokens.ensure(customer.id, candidate())).toBe(live[0]);
    });

    it("a customer's token rotated from a given token (port 27): replaced only while it is that one", async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const [old, next, stale] = [candidate(), candidate(), candidate()];
      // No token yet: nothing to rotate from, nothing stored.
      expect(await storage.linkTokens.rotate(customer.id, stale, old.tokenHash)).toBe(false);
      expect(await storage.linkTokens.customerByHash(stale.tokenHash)).toBeNull();
      await storage.linkTokens.ensure(customer.id, old);
      expect(await storage.linkTokens.rotate(customer.id, next, old.tokenHash)).toBe(true);
      // From the token it had: the one replaced already, so nothing changes.
      expect(await storage.linkTokens.rotate(customer.id, stale, old.tokenHash)).toBe(false);
      expect(await storage.linkTokens.customerByHash(next.tokenHash)).toBe(customer.id);
      expect(await storage.linkTokens.customerByHash(stale.tokenHash)).toBeNull();
      expect(await storage.linkTokens.ensure(customer.id, candidate())).toBe(next.nonce);
      // Without a token to rotate from, a rotation stores as before.
      expect(await storage.linkTokens.rotate(customer.id, stale)).toBe(true);
      expect(await storage.linkTokens.customerByHash(stale.tokenHash)).toBe(customer.id);
      await expectRejects(storage.linkTokens.rotate('cus_missing', candidate(), next.tokenHash), 'NotFoundError');
    });

    it("of rotations racing from one customer's token over several replicas, exactly one replaces it", async () => {
      const storages = await env.replicas(4);
      const customer = await seedCustomer(env.storage);
      const from = candidate();
      await env.storage.linkTokens.ensure(customer.id, from);
      const candidates = Array.from({ length: 8 }, candidate);
      const { values, errors } = await settle(
        candidates.map((c, i) => storages[i % storages.length]!.linkTokens.rotate(customer.id, c, from.tokenHash)),
      );
      expect(errors).toEqual([]);
      expect(values.filter((rotated) => rotated)).toHaveLength(1);
      const winner = candidates[values.indexOf(true)]!;
      expect(await env.storage.linkTokens.ensure(customer.id, candidate())).toBe(winner.nonce);
      for (const c of candidates) if (c !== winner) expect(await env.storage.linkTokens.customerByHash(c.tokenHash)).toBeNull();
    });

    it('an unknown hash, or any string, resolves to null', async () => {
      const { storage } = env;
      expect(await storage.linkTokens.customerByHash(candidate().tokenHash)).toBeNull();
      expect(await storage.linkTokens.customerByHash('')).toBeNull();
      expect(await storage.linkTokens.customerByHash("x' OR '1'='1")).toBeNull();
    });

    it('refuses a missing customer, a bad candidate and a hash another customer holds, storing nothing', async () => {
      const { storage } = env;
      const c = candidate();
      await expectRejects(storage.linkTokens.ensure('cus_missing', c), 'NotFoundError');
      await expectRejects(storage.linkTokens.rotate('cus_missing', c), 'NotFoundError');
      expect(await storage.linkTokens.customerByHash(c.tokenHash)).toBeNull();
      const [a, b] = [await seedCustomer(storage), await seedCustomer(storage)];
      await expectRejects(storage.linkTokens.ensure(a.id, { nonce: 'has space', tokenHash: c.tokenHash }), 'ValidationError');
      await expectRejects(storage.linkTokens.ensure(a.id, { nonce: c.nonce, tokenHash: c.tokenHash.toUpperCase() }), 'ValidationError');
      await expectRejects(storage.linkTokens.rotate(a.id, { nonce: c.nonce, tokenHash: 'abc' }), 'ValidationError');
      expect(await storage.linkTokens.customersAfter('', 10)).toEqual([]);
      await storage.linkTokens.ensure(a.id, c);
      await expectRejects(storage.linkTokens.ensure(b.id, { nonce: candidate().nonce, tokenHash: c.tokenHash }), 'ConflictError');
      await expectRejects(storage.linkTokens.rotate(b.id, { nonce: candidate().nonce, tokenHash: c.tokenHash }), 'ConflictError');
      expect(await storage.linkTokens.customersAfter('', 10)).toEqual([a.id]);
      expect(await storage.linkTokens.customerByHash(c.tokenHash)).toBe(a.id);
    });

    it('a token made in a transaction that throws is not stored', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const c = candidate();
      await expect(
        storage.transaction(async (tx) => {
          await tx.linkTokens.ensure(customer.id, c);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await storage.linkTokens.customerByHash(c.tokenHash)).toBeNull();
      expect(await storage.linkTokens.customersAfter('', 10)).toEqual([]);
    });

    it('lists the customers with a token in id order, a keyset page at a time', async () => {
      const { storage } = env;
      const customers = await Promise.all(Array.from({ length: 5 }, () => seedCustomer(storage)));
      await seedCustomer(storage); // no token: never listed
      for (const customer of customers) await storage.linkTokens.ensure(customer.id, candidate());
      const ids = customers.map((c) => c.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const pages: string[][] = [];
      for (
        let after = '', page = await storage.linkTokens.customersAfter(after, 2);
        page.length > 0;
        page = await storage.linkTokens.customersAfter(after, 2)
      ) {
        pages.push(page);
        after = page[page.length - 1]!;
      }
      expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
      expect(await storage.linkTokens.customersAfter(ids[4]!, 2)).toEqual([]);
      await expectRejects(storage.linkTokens.customersAfter('', 0), 'ValidationError');
      await expectRejects(storage.linkTokens.customersAfter('', 1.5), 'ValidationError');
    });
  });
}
