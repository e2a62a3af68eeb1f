import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../domain/audit.js';
import { seedAuditEvent } from './fixtures.js';
import { collectPages, expectRejects, idsOf } from './support.js';
import type { SuiteEnv } from './support.js';

export function auditSuite(env: SuiteEnv): void {
  describe('audit', () => {
    it('append fills id, time and data, and keeps what it was given', async () => {
      const { storage, clock } = env;
      const event = await storage.audit.append({
        actor: { type: 'scheduler' },
        action: 'subscription.expired',
        subjectType: 'subscription',
        subjectId: 'sub_1',
      });
      expect(event).toEqual({
        id: expect.any(String),
        at: clock.now(),
        actor: { type: 'scheduler', id: null },
        action: 'subscription.expired',
        subjectType: 'subscription',
        subjectId: 'sub_1',
        data: {},
      });
      const at = new Date(clock.now().getTime() - 5000);
      const given = await seedAuditEvent(storage, { id: 'evt_given', at, data: { from: 'active', to: 'suspended', n: [1] } });
      expect(given).toMatchObject({ id: 'evt_given', at, data: { from: 'active', to: 'suspended', n: [1] } });
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      await expectRejects(seedAuditEvent(storage, { action: 'Not An Action' }), 'ValidationError');
      await expectRejects(seedAuditEvent(storage, { subjectType: '' }), 'ValidationError');
      await expectRejects(seedAuditEvent(storage, { data: { bad: Number.NaN } }), 'ValidationError');
      expect((await storage.audit.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('list is newest first, filters by subject and actor type, and pages without gaps', async () => {
      const { storage, clock } = env;
      const events: AuditEvent[] = [];
      for (let i = 0; i < 10; i++) {
        events.push(
          await seedAuditEvent(storage, {
            actor: { type: i % 3 === 0 ? 'customer' : 'admin', id: `actor-${i}` },
            subjectType: i < 6 ? 'subscription' : 'order',
            subjectId: i % 2 === 0 ? 'subject-even' : 'subject-odd',
          }),
        );
        clock.advance(1000);
      }
      const newest = [...events].reverse();
      const all = await collectPages((cursor) => storage.audit.list({}, { limit: 4, cursor }));
      expect(idsOf(all.items)).toEqual(idsOf(newest));
      expect(all.pageSizes).toEqual([4, 4, 2]);
      const orders = await storage.audit.list({ subjectType: 'order' }, { limit: 50 });
      expect(idsOf(orders.items)).toEqual(idsOf(newest.filter((e) => e.subjectType === 'order')));
      const evenSubs = await collectPages((cursor) =>
        storage.audit.list({ subjectType: 'subscription', subjectId: 'subject-even' }, { limit: 2, cursor }),
      );
      expect(idsOf(evenSubs.items)).toEqual(
        idsOf(newest.filter((e) => e.subjectType === 'subscription' && e.subjectId === 'subject-even')),
      );
      const byCustomers = await storage.audit.list({ actor: 'customer' }, { limit: 50 });
      expect(idsOf(byCustomers.items)).toEqual(idsOf(newest.filter((e) => e.actor.type === 'customer')));
      expect(await storage.audit.list({ actor: 'worker' }, { limit: 5 })).toEqual({ items: [], nextCursor: null });
    });

    it('returns copies', async () => {
      const { storage } = env;
      const data = { list: [1, 2] };
      const event = await seedAuditEvent(storage, { data });
      const snapshot = structuredClone(event);
      data.list.push(3);
      event.data['list'] = null;
      event.actor.id = 'changed';
      const listed = await storage.audit.list({}, { limit: 1 });
      if (listed.items[0]) listed.items[0].data['x'] = 1;
      expect((await storage.audit.list({}, { limit: 1 })).items).toEqual([snapshot]);
    });
  });
}
