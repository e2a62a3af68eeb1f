import { describe, expect, it } from 'vitest';
import type { Customer } from '../../domain/customer.js';
import { seedCustomer, uniqueToken } from './fixtures.js';
import { collectPages, expectRejects, idsOf, MINUTE } from './support.js';
import type { SuiteEnv } from './support.js';

export function customersSuite(env: SuiteEnv): void {
  describe('customers', () => {
    it('create fills defaults, lower-cases the email, and get returns the same row', async () => {
      const { storage, clock } = env;
      const customer = await storage.customers.create({ email: 'Mixed.Case@Example.COM' });
      expect(customer).toMatchObject({
        email: 'mixed.case@example.com',
        name: null,
        locale: 'en',
        telegramId: null,
        externalRef: null,
      });
      expect(customer.createdAt).toEqual(clock.now());
      expect(customer.updatedAt).toEqual(clock.now());
      expect(await storage.customers.get(customer.id)).toEqual(customer);
      expect(await storage.customers.get('cus_missing')).toBeNull();
    });

    it('getByEmail is case-insensitive; getByExternalRef finds exact refs', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage, { email: 'someone@example.com', externalRef: 'host-42' });
      expect(await storage.customers.getByEmail('SomeOne@Example.com')).toEqual(customer);
      expect(await storage.customers.getByEmail('someone@example.com')).toEqual(customer);
      expect(await storage.customers.getByEmail('nobody@example.com')).toBeNull();
      expect(await storage.customers.getByExternalRef('host-42')).toEqual(customer);
      expect(await storage.customers.getByExternalRef('host-43')).toBeNull();
    });

    it('getByTelegramId finds the customer with that Telegram id, the oldest when several carry it', async () => {
      const { storage, clock } = env;
      const [id, other] = [`7${uniqueToken()}`, `8${uniqueToken()}`];
      expect(await storage.customers.getByTelegramId(id)).toBeNull();
      const first = await seedCustomer(storage, { telegramId: id });
      clock.advance(MINUTE);
      const second = await seedCustomer(storage, { telegramId: id });
      const elsewhere = await seedCustomer(storage, { telegramId: other });
      await seedCustomer(storage);
      expect(await storage.customers.getByTelegramId(id)).toEqual(first);
      expect(await storage.customers.getByTelegramId(other)).toEqual(elsewhere);
      const moved = await storage.customers.update(first.id, { telegramId: null });
      expect(moved.telegramId).toBeNull();
      expect(await storage.customers.getByTelegramId(id)).toEqual(second);
      expect(await storage.customers.getByTelegramId(`${id}0`)).toBeNull();
    });

    it('email is unique case-insensitively; a clash is a ConflictError and writes nothing', async () => {
      const { storage } = env;
      await seedCustomer(storage, { email: 'dup@example.com' });
      await expectRejects(seedCustomer(storage, { email: 'DUP@Example.com' }), 'ConflictError');
      await expectRejects(seedCustomer(storage, { email: 'dup@example.com' }), 'ConflictError');
      expect((await storage.customers.list({ limit: 10 })).items).toHaveLength(1);
    });

    it('externalRef is unique; a clash is a ConflictError', async () => {
      const { storage } = env;
      await seedCustomer(storage, { externalRef: 'ext-1' });
      await expectRejects(seedCustomer(storage, { externalRef: 'ext-1' }), 'ConflictError');
      expect((await storage.customers.list({ limit: 10 })).items).toHaveLength(1);
    });

    it('missing emails and externalRefs never clash', async () => {
      const { storage } = env;
      await storage.customers.create({});
      await storage.customers.create({ email: null, externalRef: null });
      await storage.customers.create({ name: 'third' });
      expect((await storage.customers.list({ limit: 10 })).items).toHaveLength(3);
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.customers.create({ email: 'not-an-email' }), 'ValidationError');
      await expectRejects(storage.customers.create({ locale: 'English' }), 'ValidationError');
      await expectRejects(storage.customers.create({ id: '' }), 'ValidationError');
      expect((await storage.customers.list({ limit: 10 })).items).toEqual([]);
    });

    it('list is newest first and pages without gaps or duplicates', async () => {
      const { storage, clock } = env;
      const created: Customer[] = [];
      for (let i = 0; i < 12; i++) {
        created.push(await seedCustomer(storage));
        clock.advance(1000);
      }
      const newestFirst = idsOf(created).reverse();
      const first = await storage.customers.list({ limit: 5 });
      expect(idsOf(first.items)).toEqual(newestFirst.slice(0, 5));
      expect(first.nextCursor).not.toBeNull();
      const all = await collectPages((cursor) => storage.customers.list({ limit: 5, cursor }));
      expect(idsOf(all.items)).toEqual(newestFirst);
      expect(all.pageSizes).toEqual([5, 5, 2]);
      expect((await storage.customers.list({ limit: 100 })).nextCursor).toBeNull();
    });

    it('pages rows created at the same instant without gaps or duplicates', async () => {
      const { storage } = env;
      const created: Customer[] = [];
      for (let i = 0; i < 9; i++) created.push(await seedCustomer(storage));
      const all = await collectPages((cursor) => storage.customers.list({ limit: 2, cursor }));
      expect(new Set(idsOf(all.items)).size).toBe(9);
      expect([...idsOf(all.items)].sort()).toEqual([...idsOf(created)].sort());
    });

    it('a page request outside the PageRequest schema is a ValidationError', async () => {
      const { storage } = env;
      await seedCustomer(storage);
      await expectRejects(storage.customers.list({ limit: 0 }), 'ValidationError');
      await expectRejects(storage.customers.list({ limit: 1001 }), 'ValidationError');
      await expectRejects(storage.customers.list({ limit: 2.5 }), 'ValidationError');
      await expectRejects(storage.ledger.list('cus_x', { limit: -1 }), 'ValidationError');
      await expectRejects(storage.jobs.list({}, { limit: 0 }), 'ValidationError');
      await expectRejects(storage.subscriptions.listDue({ kind: 'first_use' }, { limit: 0 }), 'ValidationError');
    });

    it('update applies the patch, keeps uniqueness, and moves updatedAt', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const other = await seedCustomer(storage, { externalRef: `ref-${uniqueToken()}` });
      clock.advance(60_000);
      const updated = await storage.customers.update(customer.id, { email: 'New@Example.com', name: 'New Name', locale: 'fa' });
      expect(updated).toEqual({ ...customer, email: 'new@example.com', name: 'New Name', locale: 'fa', updatedAt: clock.now() });
      expect(await storage.customers.getByEmail('new@example.com')).toEqual(updated);
      if (customer.email !== null) expect(await storage.customers.getByEmail(customer.email)).toBeNull();
      await expectRejects(storage.customers.update(other.id, { email: 'NEW@example.com' }), 'ConflictError');
      await expectRejects(storage.customers.update(customer.id, { externalRef: other.externalRef }), 'ConflictError');
      expect(await storage.customers.get(customer.id)).toEqual(updated);
      expect(await storage.customers.get(other.id)).toEqual(other);
    });

    it('update of a missing customer is a NotFoundError; an invalid patch is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.customers.update('cus_missing', { name: 'x' }), 'NotFoundError');
      const customer = await seedCustomer(storage);
      await expectRejects(storage.customers.update(customer.id, { name: 'ok', email: 'broken' }), 'ValidationError');
      expect(await storage.customers.get(customer.id)).toEqual(customer);
    });

    it('returns copies', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage, { externalRef: 'copy-ref' });
      const snapshot = structuredClone(customer);
      customer.name = 'changed';
      customer.createdAt.setTime(0);
      const fetched = await storage.customers.getByEmail(snapshot.email ?? '');
      if (fetched) fetched.locale = 'de';
      const listed = await storage.customers.list({ limit: 10 });
      if (listed.items[0]) listed.items[0].name = 'listed';
      const byRef = await storage.customers.getByExternalRef('copy-ref');
      if (byRef) byRef.email = 'x@example.com';
      expect(await storage.customers.get(snapshot.id)).toEqual(snapshot);
    });
  });
}
