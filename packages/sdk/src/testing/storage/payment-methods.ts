import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewSavedPaymentMethod } from '../../domain/payment-method.js';
import { seedCustomer, uniqueToken } from './fixtures.js';
import { expectRejects, MINUTE, settle } from './support.js';
import type { SuiteEnv } from './support.js';

function newMethod(customerId: string, ref: string, extra: Partial<NewSavedPaymentMethod> = {}): NewSavedPaymentMethod {
  return {
    customerId,
    providerId: 'stripe',
    sealedRef: `pk1.k1.AAAAAAAAAAAAAAAA.${Buffer.from(ref).toString('base64url')}AAAAAAAAAAAAAAAAAAAAAA`,
    fingerprint: createHash('sha256').update(`stripe\u0000${ref}`).digest('hex'),
    label: 'Visa •••• 4242',
    allowRenewal: false,
    paymentId: null,
    ...extra,
  };
}

/** Saved payment methods: one per customer, provider and fingerprint, under concurrent saves too; the renewal switch; removal. */
export function paymentMethodsSuite(env: SuiteEnv): void {
  describe('saved payment methods', () => {
    it('saves a method with its fields, lists a customer’s own oldest first, and reads it back as a copy', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const other = await seedCustomer(storage);
      const first = await storage.paymentMethods.save(newMethod(customer.id, `pm_${uniqueToken()}`, { paymentId: 'pay_1' }));
      expect(first).toMatchObject({
        customerId: customer.id,
        providerId: 'stripe',
        label: 'Visa •••• 4242',
        allowRenewal: false,
        paymentId: 'pay_1',
      });
      expect(first.createdAt).toEqual(clock.now());
      clock.advance(MINUTE);
      const second = await storage.paymentMethods.save(newMethod(customer.id, `pm_${uniqueToken()}`, { label: 'Mastercard •••• 1111' }));
      await storage.paymentMethods.save(newMethod(other.id, `pm_${uniqueToken()}`));
      expect((await storage.paymentMethods.listByCustomer(customer.id)).map((m) => m.id)).toEqual([first.id, second.id]);
      const read = await storage.paymentMethods.get(first.id);
      expect(read).toEqual(first);
      read!.label = 'changed';
      expect((await storage.paymentMethods.get(first.id))!.label).toBe('Visa •••• 4242');
      expect(await storage.paymentMethods.get('pm_missing')).toBeNull();
    });

    it('saving the same method again refreshes its row (keeping id and the renewal switch) instead of adding one', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const ref = `pm_${uniqueToken()}`;
      const saved = await storage.paymentMethods.save(newMethod(customer.id, ref));
      await storage.paymentMethods.setAllowRenewal(saved.id, true);
      clock.advance(MINUTE);
      const again = await storage.paymentMethods.save(newMethod(customer.id, ref, { label: 'Visa •••• 4242 (2030)', paymentId: 'pay_2' }));
      expect(again).toMatchObject({ id: saved.id, label: 'Visa •••• 4242 (2030)', allowRenewal: true, paymentId: 'pay_2' });
      expect(again.updatedAt).toEqual(clock.now());
      expect(await storage.paymentMethods.listByCustomer(customer.id)).toHaveLength(1);
    });

    it('concurrent saves of one method from several connections leave one row', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const ref = `pm_${uniqueToken()}`;
      const replicas = await env.replicas(4);
      const { values, errors } = await settle(replicas.map((replica) => replica.paymentMethods.save(newMethod(customer.id, ref))));
      expect(errors).toEqual([]);
      expect(new Set(values.map((m) => m.id)).size).toBe(1);
      expect(await storage.paymentMethods.listByCustomer(customer.id)).toHaveLength(1);
    });

    it('switches renewal payments on and off, and removes a method once', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const saved = await storage.paymentMethods.save(newMethod(customer.id, `pm_${uniqueToken()}`));
      expect((await storage.paymentMethods.setAllowRenewal(saved.id, true))!.allowRenewal).toBe(true);
      expect((await storage.paymentMethods.setAllowRenewal(saved.id, false))!.allowRenewal).toBe(false);
      expect(await storage.paymentMethods.setAllowRenewal('pm_missing', true)).toBeNull();
      expect(await storage.paymentMethods.remove(saved.id)).toBe(true);
      expect(await storage.paymentMethods.remove(saved.id)).toBe(false);
      expect(await storage.paymentMethods.get(saved.id)).toBeNull();
      expect(await storage.paymentMethods.listByCustomer(customer.id)).toEqual([]);
    });

    it('refuses bad input typed and a missing customer as NotFoundError, changing nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await expectRejects(storage.paymentMethods.save(newMethod(customer.id, 'x', { fingerprint: 'not-hex' })), 'ValidationError');
      await expectRejects(storage.paymentMethods.save(newMethod(customer.id, 'x', { label: '' })), 'ValidationError');
      await expectRejects(storage.paymentMethods.save(newMethod('cus_missing', 'x')), 'NotFoundError');
      expect(await storage.paymentMethods.listByCustomer(customer.id)).toEqual([]);
    });

    it('a save rolled back with its transaction leaves nothing', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      await storage
        .transaction(async (tx) => {
          await tx.paymentMethods.save(newMethod(customer.id, `pm_${uniqueToken()}`));
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      expect(await storage.paymentMethods.listByCustomer(customer.id)).toEqual([]);
    });
  });
}
