import { describe, expect, it } from 'vitest';
import type { DeviceTerms } from '../../rules/devices.js';
import { termsOf } from '../../domain/subscription-terms.js';
import { seedPlan, seedSubscription } from './fixtures.js';
import { MINUTE, expectRejects, settle, sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

const TWO: DeviceTerms = { deviceLimit: 2, noHwidPolicy: 'serve' };
const phone = { hwid: 'hw-phone', platform: 'android', osVersion: '14', model: 'Pixel 8', app: 'Happ', appVersion: '3.1.0' };
const laptop = { hwid: 'hw-laptop', platform: 'windows', app: 'Hiddify' };

export function devicesSuite(env: SuiteEnv): void {
  describe('devices', () => {
    it('registers new devices up to the limit, refreshes known ones, and refuses one past it', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage);
      const first = await storage.devices.touch({ subscriptionId: sub.id, device: phone, terms: TWO });
      expect(first).toMatchObject({ outcome: 'registered', device: { ...phone, subscriptionId: sub.id, userAgent: null } });
      if (first.outcome === 'refused') throw new Error('unreachable');
      expect(first.device.firstSeenAt).toEqual(clock.now());
      expect(first.device.lastSeenAt).toEqual(clock.now());

      clock.advance(MINUTE);
      const again = await storage.devices.touch({ subscriptionId: sub.id, device: { ...phone, appVersion: '3.2.0' }, terms: TWO });
      expect(again).toMatchObject({ outcome: 'refreshed', device: { id: first.device.id, appVersion: '3.2.0' } });
      if (again.outcome === 'refused') throw new Error('unreachable');
      expect(again.device.firstSeenAt).toEqual(first.device.firstSeenAt);
      expect(again.device.lastSeenAt).toEqual(clock.now());

      expect(await storage.devices.touch({ subscriptionId: sub.id, device: laptop, terms: TWO })).toMatchObject({ outcome: 'registered' });
      expect(await storage.devices.touch({ subscriptionId: sub.id, device: { hwid: 'hw-third' }, terms: TWO })).toEqual({
        outcome: 'refused',
        reason: 'limit_reached',
        count: 2,
      });
      // A known device is refreshed at the limit, and under a lowered one.
      expect(await storage.devices.touch({ subscriptionId: sub.id, device: laptop, terms: { ...TWO, deviceLimit: 1 } })).toMatchObject({
        outcome: 'refreshed',
      });
      const listed = await storage.devices.list(sub.id);
      expect(listed.map((d) => d.hwid)).toEqual(['hw-phone', 'hw-laptop']);
      expect(listed[0]).toEqual(again.device);
    });

    it('no limit registers every device; devices are counted per subscription', async () => {
      const { storage } = env;
      const a = await seedSubscription(storage);
      const b = await seedSubscription(storage);
      for (const hwid of ['1', '2', '3']) {
        const touched = await storage.devices.touch({
          subscriptionId: a.id,
          device: { hwid },
          terms: { deviceLimit: null, noHwidPolicy: 'serve' },
        });
        expect(touched.outcome).toBe('registered');
      }
      // The same phone on another subscription is a device of that one, in its own count.
      expect(await storage.devices.touch({ subscriptionId: b.id, device: { hwid: '1' }, terms: { ...TWO, deviceLimit: 1 } })).toMatchObject(
        {
          outcome: 'registered',
        },
      );
      expect(await storage.devices.list(a.id)).toHaveLength(3);
      expect(await storage.devices.list(b.id)).toHaveLength(1);
      expect(await storage.devices.list('sub_missing')).toEqual([]);
    });

    it('counts the panel’s own devices with the registry’s, each hardware id once', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      await storage.devices.touch({ subscriptionId: sub.id, device: phone, terms: TWO });
      // The panel knows the phone and one more: the limit of two is reached.
      const panelHwids = ['hw-phone', 'hw-direct'];
      expect(await storage.devices.touch({ subscriptionId: sub.id, device: laptop, terms: TWO, panelHwids })).toMatchObject({
        outcome: 'refused',
        count: 2,
      });
      // The device the panel counts already takes no new slot.
      expect(await storage.devices.touch({ subscriptionId: sub.id, device: { hwid: 'hw-direct' }, terms: TWO, panelHwids })).toMatchObject({
        outcome: 'registered',
      });
    });

    it('remove frees a slot at once; removeAll empties the subscription; a missing device is null', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage);
      const one = await storage.devices.touch({ subscriptionId: sub.id, device: phone, terms: TWO });
      clock.advance(MINUTE);
      await storage.devices.touch({ subscriptionId: sub.id, device: laptop, terms: TWO });
      clock.advance(MINUTE);
      if (one.outcome === 'refused') throw new Error('unreachable');
      expect(await storage.devices.remove(sub.id, one.device.id)).toEqual(one.device);
      expect(await storage.devices.remove(sub.id, one.device.id)).toBeNull();
      const other = await seedSubscription(storage);
      const laptopRow = (await storage.devices.list(sub.id))[0]!;
      expect(await storage.devices.remove(other.id, laptopRow.id)).toBeNull();
      expect(await storage.devices.touch({ subscriptionId: sub.id, device: { hwid: 'hw-new' }, terms: TWO })).toMatchObject({
        outcome: 'registered',
      });
      const removed = await storage.devices.removeAll(sub.id);
      expect(removed.map((d) => d.hwid)).toEqual(['hw-laptop', 'hw-new']);
      expect(await storage.devices.list(sub.id)).toEqual([]);
      expect(await storage.devices.removeAll(sub.id)).toEqual([]);
    });

    it('a plan keeps its no-id policy (default serve), and a subscription its frozen terms with it', async () => {
      const { storage } = env;
      expect((await seedPlan(storage)).noHwidPolicy).toBe('serve');
      const plan = await seedPlan(storage, { noHwidPolicy: 'refuse', deviceLimit: 3 });
      expect(await storage.plans.get(plan.id)).toMatchObject({ noHwidPolicy: 'refuse', deviceLimit: 3 });
      expect((await storage.plans.update(plan.id, { noHwidPolicy: 'serve' })).noHwidPolicy).toBe('serve');
      await expectRejects(storage.plans.update(plan.id, { noHwidPolicy: 'sometimes' as 'serve' }), 'ValidationError');
      const sub = await seedSubscription(storage, { planId: plan.id, terms: termsOf({ ...plan, noHwidPolicy: 'refuse' }) });
      expect((await storage.subscriptions.get(sub.id))?.terms).toMatchObject({ deviceLimit: 3, noHwidPolicy: 'refuse' });
    });

    it('refuses bad input and a missing subscription, writing nothing', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      await expectRejects(storage.devices.touch({ subscriptionId: 'sub_missing', device: phone, terms: TWO }), 'NotFoundError');
      await expectRejects(storage.devices.touch({ subscriptionId: sub.id, device: { hwid: '' }, terms: TWO }), 'ValidationError');
      await expectRejects(
        storage.devices.touch({ subscriptionId: sub.id, device: phone, terms: { ...TWO, deviceLimit: 0 } }),
        'ValidationError',
      );
      await expectRejects(
        storage.devices.touch({ subscriptionId: sub.id, device: { ...phone, model: 'x'.repeat(201) }, terms: TWO }),
        'ValidationError',
      );
      expect(await storage.devices.list(sub.id)).toEqual([]);
    });

    it('refresh updates a registered device and never registers one', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage);
      const first = await storage.devices.touch({ subscriptionId: sub.id, device: phone, terms: TWO });
      if (first.outcome === 'refused') throw new Error('unreachable');
      clock.advance(MINUTE);
      const refreshed = await storage.devices.refresh({ subscriptionId: sub.id, device: { ...phone, appVersion: '3.2.0', model: null } });
      expect(refreshed).toEqual({ ...first.device, appVersion: '3.2.0', model: null, lastSeenAt: clock.now() });
      expect(await storage.devices.list(sub.id)).toEqual([refreshed]);
      // An unknown hardware id, or subscription, is nobody's device: nothing is registered.
      expect(await storage.devices.refresh({ subscriptionId: sub.id, device: laptop })).toBeNull();
      expect(await storage.devices.refresh({ subscriptionId: 'sub_missing', device: phone })).toBeNull();
      expect(await storage.devices.list(sub.id)).toEqual([refreshed]);
      await expectRejects(storage.devices.refresh({ subscriptionId: sub.id, device: { hwid: '' } }), 'ValidationError');
      // Rolled back with the transaction it ran in.
      clock.advance(MINUTE);
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.devices.refresh({ subscriptionId: sub.id, device: phone })).toMatchObject({ lastSeenAt: clock.now() });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await storage.devices.list(sub.id)).toEqual([refreshed]);
    });

    it('refresh with seenAfter writes a device seen at or before it, or described anew, and answers the rest as stored', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage);
      const first = await storage.devices.touch({ subscriptionId: sub.id, device: phone, terms: TWO });
      if (first.outcome === 'refused') throw new Error('unreachable');
      clock.advance(MINUTE);
      // Seen after the bound, described as stored: answered as stored, nothing written.
      const recent = new Date(clock.now().getTime() - 2 * MINUTE);
      expect(await storage.devices.refresh({ subscriptionId: sub.id, device: phone, seenAfter: recent })).toEqual(first.device);
      expect(await storage.devices.list(sub.id)).toEqual([first.device]);
      // Described anew: written, though seen recently.
      const described = await storage.devices.refresh({
        subscriptionId: sub.id,
        device: { ...phone, appVersion: '3.3.0' },
        seenAfter: recent,
      });
      expect(described).toEqual({ ...first.device, appVersion: '3.3.0', lastSeenAt: clock.now() });
      // Seen exactly at the bound: written (the interval has passed).
      clock.advance(MINUTE);
      const due = await storage.devices.refresh({
        subscriptionId: sub.id,
        device: { ...phone, appVersion: '3.3.0' },
        seenAfter: described!.lastSeenAt,
      });
      expect(due).toEqual({ ...described, lastSeenAt: clock.now() });
      expect(await storage.devices.list(sub.id)).toEqual([due]);
      // An unknown device is nobody's, whatever the bound: nothing registered.
      expect(await storage.devices.refresh({ subscriptionId: sub.id, device: laptop, seenAfter: recent })).toBeNull();
      expect(await storage.devices.list(sub.id)).toHaveLength(1);
      await expectRejects(
        storage.devices.refresh({ subscriptionId: sub.id, device: phone, seenAfter: new Date(Number.NaN) }),
        'ValidationError',
      );
    });

    it('countSeen counts each subscription’s devices seen since an instant, in id order, leaving out none seen (port 33)', async () => {
      const { storage, clock } = env;
      const open = { deviceLimit: null, noHwidPolicy: 'serve' } as const;
      const [busy, quiet, other, empty] = await Promise.all([1, 2, 3, 4].map(() => seedSubscription(storage)));
      const t0 = clock.now();
      for (const hwid of ['old-1', 'old-2']) await storage.devices.touch({ subscriptionId: busy!.id, device: { hwid }, terms: open });
      await storage.devices.touch({ subscriptionId: quiet!.id, device: phone, terms: open });
      clock.advance(30 * MINUTE);
      const since = clock.now();
      for (const hwid of ['new-1', 'new-2', 'new-3'])
        await storage.devices.touch({ subscriptionId: busy!.id, device: { hwid }, terms: open });
      // Refreshed at `since` exactly: counted (at or after).
      await storage.devices.refresh({ subscriptionId: busy!.id, device: { hwid: 'old-1' } });
      await storage.devices.touch({ subscriptionId: other!.id, device: laptop, terms: open });
      clock.advance(MINUTE);
      const ids = [busy!.id, quiet!.id, other!.id, empty!.id, 'sub_unknown', busy!.id];
      const expected = sortIds([busy!.id, other!.id]).map((id) => ({ subscriptionId: id, devices: id === busy!.id ? 4 : 1 }));
      expect(await storage.devices.countSeen(ids, since)).toEqual(expected);
      // From before every device: the quiet one counts too; an empty subscription and an unknown id never show as 0.
      expect(await storage.devices.countSeen(ids, t0)).toEqual(
        sortIds([busy!.id, quiet!.id, other!.id]).map((id) => ({ subscriptionId: id, devices: id === busy!.id ? 5 : 1 })),
      );
      expect(await storage.devices.countSeen(ids, clock.now())).toEqual([]);
      expect(await storage.devices.countSeen([], since)).toEqual([]);
      // A device removed is no longer counted.
      const removed = (await storage.devices.list(other!.id))[0]!;
      await storage.devices.remove(other!.id, removed.id);
      expect(await storage.devices.countSeen([other!.id], since)).toEqual([]);
      await expectRejects(storage.devices.countSeen(ids, new Date(Number.NaN)), 'ValidationError');
      await expectRejects(
        storage.devices.countSeen(
          Array.from({ length: 1001 }, (_, i) => `sub_${i}`),
          since,
        ),
        'ValidationError',
      );
      await expectRejects(storage.devices.countSeen([busy!.id, 7 as unknown as string], since), 'ValidationError');
    });

    it('a transaction that throws registers nothing', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      await expect(
        storage.transaction(async (tx) => {
          await tx.devices.touch({ subscriptionId: sub.id, device: phone, terms: TWO });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await storage.devices.list(sub.id)).toEqual([]);
    });

    it('new devices racing for the last slot from several replicas: exactly one registers', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      await storage.devices.touch({ subscriptionId: sub.id, device: phone, terms: TWO });
      const replicas = await env.replicas(4);
      const { values, errors } = await settle(
        replicas.map((replica, i) => replica.devices.touch({ subscriptionId: sub.id, device: { hwid: `racer-${i}` }, terms: TWO })),
      );
      expect(errors).toEqual([]);
      expect(values.filter((v) => v.outcome === 'registered')).toHaveLength(1);
      expect(values.filter((v) => v.outcome === 'refused')).toHaveLength(3);
      expect(await storage.devices.list(sub.id)).toHaveLength(2);
    });
  });
}
