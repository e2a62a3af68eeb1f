import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createId } from '../../domain/ids.js';
import type { Device } from '../../domain/device.js';
import type { Subscription } from '../../domain/subscription.js';
import type { LinkTokenCandidate } from '../../ports/storage-link-tokens.js';
import { seedCustomer, seedPlan, seedSubscription } from './fixtures.js';
import { expectRejects, HOUR, MINUTE, settle } from './support.js';
import type { SuiteEnv } from './support.js';

function candidate(): LinkTokenCandidate {
  const nonce = randomBytes(16).toString('base64url');
  return { nonce, tokenHash: createHash('sha256').update(`token:${nonce}`).digest('hex') };
}

const hash = (): string => createHash('sha256').update(randomBytes(16)).digest('hex');

/**
 * Several subscriptions and family groups (port 21): a subscription's own link token beside its customer's, the
 * buyer's name for a subscription, a plan's sharing, and group seats counted exactly under concurrency.
 */
export function sharingSuite(env: SuiteEnv): void {
  describe('sharing', () => {
    it('a subscription label and a plan sharing are stored, patched and read back', async () => {
      const { storage } = env;
      const plan = await seedPlan(storage, { sharing: { maxMembers: 3 } });
      expect((await storage.plans.get(plan.id))!.sharing).toEqual({ maxMembers: 3 });
      expect((await storage.plans.update(plan.id, { sharing: null })).sharing).toBeNull();
      const sub = await seedSubscription(storage);
      expect(sub.label).toBeNull();
      const named = await storage.subscriptions.update(sub.id, { label: 'Phone' }, { expectedRevision: sub.revision });
      expect(named.label).toBe('Phone');
      expect((await storage.subscriptions.get(sub.id))!.label).toBe('Phone');
      await expectRejects(
        storage.subscriptions.update(sub.id, { label: 'x'.repeat(65) }, { expectedRevision: named.revision }),
        'ValidationError',
      );
    });

    it("a subscription's own token opens that subscription; the customer's token still opens the customer", async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const [a, b] = [
        await seedSubscription(storage, { customerId: customer.id }),
        await seedSubscription(storage, { customerId: customer.id }),
      ];
      const [wide, own, other] = [candidate(), candidate(), candidate()];
      await storage.linkTokens.ensure(customer.id, wide);
      expect(await storage.linkTokens.ensureForSubscription(a.id, own)).toBe(own.nonce);
      expect(await storage.linkTokens.ensureForSubscription(a.id, candidate())).toBe(own.nonce);
      await storage.linkTokens.ensureForSubscription(b.id, other);
      expect(await storage.linkTokens.scopeByHash(wide.tokenHash)).toEqual({ customerId: customer.id, subscriptionId: null });
      expect(await storage.linkTokens.scopeByHash(own.tokenHash)).toEqual({ customerId: customer.id, subscriptionId: a.id });
      expect(await storage.linkTokens.scopeByHash(other.tokenHash)).toEqual({ customerId: customer.id, subscriptionId: b.id });
      // The customer-wide lookup never answers for a subscription's own token.
      expect(await storage.linkTokens.customerByHash(own.tokenHash)).toBeNull();
      expect(await storage.linkTokens.scopeByHash(candidate().tokenHash)).toBeNull();
      await expectRejects(storage.linkTokens.ensureForSubscription(createId('sub'), candidate()), 'NotFoundError');
    });

    it('scopeWithSubscriptions (port 23): the scope and the customer’s subscriptions as listByCustomer pages them, in one read', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const subs = [];
      for (let i = 0; i < 3; i++) {
        subs.push(await seedSubscription(storage, { customerId: customer.id }));
        clock.advance(MINUTE);
      }
      await seedSubscription(storage);
      const [wide, own] = [candidate(), candidate()];
      await storage.linkTokens.ensure(customer.id, wide);
      await storage.linkTokens.ensureForSubscription(subs[0]!.id, own);
      const all = await storage.subscriptions.listByCustomer(customer.id, { limit: 1000 });
      expect(all.items.map((s) => s.id)).toEqual(subs.map((s) => s.id).reverse());
      expect(await storage.linkTokens.scopeWithSubscriptions(wide.tokenHash, { limit: 1000 })).toEqual({
        customerId: customer.id,
        subscriptionId: null,
        subscriptions: all,
      });
      // A subscription's own token gets its customer's page (which holds it).
      expect(await storage.linkTokens.scopeWithSubscriptions(own.tokenHash, { limit: 1000 })).toEqual({
        customerId: customer.id,
        subscriptionId: subs[0]!.id,
        subscriptions: all,
      });
      // A first page short of all: its cursor continues in listByCustomer.
      const first = (await storage.linkTokens.scopeWithSubscriptions(wide.tokenHash, { limit: 2 }))!.subscriptions;
      expect(first).toEqual(await storage.subscriptions.listByCustomer(customer.id, { limit: 2 }));
      expect(first.nextCursor).not.toBeNull();
      const rest = await storage.subscriptions.listByCustomer(customer.id, { limit: 2, cursor: first.nextCursor });
      expect([...first.items, ...rest.items].map((s) => s.id)).toEqual(all.items.map((s) => s.id));
      expect(rest.nextCursor).toBeNull();
      // A customer with no subscription: the scope, an empty page. Unknown, rotated and revoked tokens: null.
      const bare = await seedCustomer(storage);
      const bareToken = candidate();
      await storage.linkTokens.ensure(bare.id, bareToken);
      expect(await storage.linkTokens.scopeWithSubscriptions(bareToken.tokenHash, { limit: 10 })).toEqual({
        customerId: bare.id,
        subscriptionId: null,
        subscriptions: { items: [], nextCursor: null },
      });
      expect(await storage.linkTokens.scopeWithSubscriptions(candidate().tokenHash, { limit: 10 })).toBeNull();
      await storage.linkTokens.rotate(customer.id, candidate());
      expect(await storage.linkTokens.scopeWithSubscriptions(wide.tokenHash, { limit: 10 })).toBeNull();
      await storage.linkTokens.revokeForSubscription(subs[0]!.id);
      expect(await storage.linkTokens.scopeWithSubscriptions(own.tokenHash, { limit: 10 })).toBeNull();
      await expectRejects(storage.linkTokens.scopeWithSubscriptions(bareToken.tokenHash, { limit: 0 }), 'ValidationError');
    });

    it('scopeRefreshingDevice (port 24): the scope, and a known device refreshed on the served subscriptions in the statuses, in one call', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const seeded: Subscription[] = [];
      // Created a minute apart: the newest (`d`, no device) is a one-subscription page.
      for (const status of ['active', 'on_hold', 'expired', 'active'] as const) {
        seeded.push(await seedSubscription(storage, { customerId: customer.id, status }));
        clock.advance(MINUTE);
      }
      const [a, b, c, d] = seeded as [Subscription, Subscription, Subscription, Subscription];
      const terms = { deviceLimit: 2, noHwidPolicy: 'serve' } as const;
      const phone = { hwid: 'hw-phone', platform: 'ios', app: 'Happ', appVersion: '1.0' };
      const known = new Map<string, Device>();
      for (const sub of [a, b, c]) {
        const touched = await storage.devices.touch({ subscriptionId: sub.id, device: phone, terms });
        if (touched.outcome !== 'registered') throw new Error('unreachable');
        known.set(sub.id, touched.device);
      }
      const [wide, own] = [candidate(), candidate()];
      await storage.linkTokens.ensure(customer.id, wide);
      await storage.linkTokens.ensureForSubscription(a.id, own);
      const all = await storage.subscriptions.listByCustomer(customer.id, { limit: 1000 });
      const usable = ['active', 'on_hold'] as const;
      const bySub = (devices: readonly Device[]) => [...devices].sort((x, y) => (x.subscriptionId < y.subscriptionId ? -1 : 1));

      // Seen within the interval and described as stored: answered as stored, nothing written.
      clock.advance(MINUTE);
      const quiet = await storage.linkTokens.scopeRefreshingDevice(wide.tokenHash, {
        limit: 1000,
        statuses: usable,
        device: phone,
        seenAfter: new Date(clock.now().getTime() - HOUR),
      });
      expect(quiet).toEqual({ customerId: customer.id, subscriptionId: null, subscriptions: all, refreshed: expect.any(Array) });
      expect(bySub(quiet!.refreshed)).toEqual(bySub([known.get(a.id)!, known.get(b.id)!]));

      // Due (seen at or before seenAfter): written on the active and on-hold ones that know it; the expired one and
      // the subscription without the device are left alone.
      clock.advance(MINUTE);
      const due = await storage.linkTokens.scopeRefreshingDevice(wide.tokenHash, {
        limit: 1000,
        statuses: usable,
        device: { ...phone, appVersion: '1.1' },
        seenAfter: clock.now(),
      });
      const dueAt = clock.now();
      const written = (sub: Subscription) => ({ ...known.get(sub.id)!, appVersion: '1.1', lastSeenAt: dueAt });
      expect(bySub(due!.refreshed)).toEqual(bySub([written(a), written(b)]));
      expect(await storage.devices.list(a.id)).toEqual([written(a)]);
      expect(await storage.devices.list(c.id)).toEqual([known.get(c.id)]);
      expect(await storage.devices.list(d.id)).toEqual([]);

      // A subscription's own token refreshes on that subscription alone; an unknown hardware id on none.
      clock.advance(MINUTE);
      const mine = await storage.linkTokens.scopeRefreshingDevice(own.tokenHash, {
        limit: 1000,
        statuses: usable,
        device: phone,
        seenAfter: clock.now(),
      });
      expect(mine).toMatchObject({ customerId: customer.id, subscriptionId: a.id, subscriptions: all });
      expect(mine!.refreshed).toEqual([{ ...written(a), appVersion: '1.0', lastSeenAt: clock.now() }]);
      expect(await storage.devices.list(b.id)).toEqual([written(b)]);
      const stranger = await storage.linkTokens.scopeRefreshingDevice(wide.tokenHash, {
        limit: 1000,
        statuses: usable,
        device: { hwid: 'hw-other' },
        seenAfter: clock.now(),
      });
      expect(stranger!.refreshed).toEqual([]);
      expect(await storage.devices.list(d.id)).toEqual([]);

      // A first page short of all: devices on it alone; unknown, rotated and revoked tokens: null, nothing written.
      const page = await storage.linkTokens.scopeRefreshingDevice(wide.tokenHash, {
        limit: 1,
        statuses: usable,
        device: phone,
        seenAfter: clock.now(),
      });
      expect(page!.subscriptions).toEqual(await storage.subscriptions.listByCustomer(customer.id, { limit: 1 }));
      expect(page!.refreshed).toEqual([]);
      const request = { limit: 10, statuses: usable, device: phone, seenAfter: clock.now() };
      expect(await storage.linkTokens.scopeRefreshingDevice(candidate().tokenHash, request)).toBeNull();
      await storage.linkTokens.rotate(customer.id, candidate());
      clock.advance(MINUTE);
      expect(await storage.linkTokens.scopeRefreshingDevice(wide.tokenHash, { ...request, seenAfter: clock.now() })).toBeNull();
      await storage.linkTokens.revokeForSubscription(a.id);
      expect(await storage.linkTokens.scopeRefreshingDevice(own.tokenHash, { ...request, seenAfter: clock.now() })).toBeNull();
      expect((await storage.devices.list(b.id))[0]!.lastSeenAt.getTime()).toBeLessThan(clock.now().getTime());
      await expectRejects(storage.linkTokens.scopeRefreshingDevice(own.tokenHash, { ...request, statuses: [] }), 'ValidationError');
      await expectRejects(storage.linkTokens.scopeRefreshingDevice(own.tokenHash, { ...request, device: { hwid: '' } }), 'ValidationError');
    });

    it("rotating a subscription's token kills the old one at once; revoking leaves none", async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage);
      const [old, fresh] = [candidate(), candidate()];
      await storage.linkTokens.ensureForSubscription(sub.id, old);
      clock.advance(MINUTE);
      expect(await storage.linkTokens.rotateForSubscription(sub.id, fresh)).toBe(true);
      expect(await storage.linkTokens.scopeByHash(old.tokenHash)).toBeNull();
      expect(await storage.linkTokens.scopeByHash(fresh.tokenHash)).toEqual({ customerId: sub.customerId, subscriptionId: sub.id });
      expect(await storage.linkTokens.revokeForSubscription(sub.id)).toBe(true);
      expect(await storage.linkTokens.revokeForSubscription(sub.id)).toBe(false);
      expect(await storage.linkTokens.scopeByHash(fresh.tokenHash)).toBeNull();
      await expectRejects(storage.linkTokens.rotateForSubscription(createId('sub'), candidate()), 'NotFoundError');
    });

    it("a subscription's token rotated from a given token (port 27): replaced only while it is that one", async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      const [old, next, stale] = [candidate(), candidate(), candidate()];
      // No token yet: nothing to rotate from, nothing stored.
      expect(await storage.linkTokens.rotateForSubscription(sub.id, stale, old.tokenHash)).toBe(false);
      expect(await storage.linkTokens.scopeByHash(stale.tokenHash)).toBeNull();
      await storage.linkTokens.ensureForSubscription(sub.id, old);
      expect(await storage.linkTokens.rotateForSubscription(sub.id, next, old.tokenHash)).toBe(true);
      // From the token it had: the one replaced already, so nothing changes.
      expect(await storage.linkTokens.rotateForSubscription(sub.id, stale, old.tokenHash)).toBe(false);
      expect(await storage.linkTokens.scopeByHash(next.tokenHash)).toEqual({ customerId: sub.customerId, subscriptionId: sub.id });
      expect(await storage.linkTokens.scopeByHash(stale.tokenHash)).toBeNull();
      expect(await storage.linkTokens.ensureForSubscription(sub.id, candidate())).toBe(next.nonce);
      await expectRejects(storage.linkTokens.rotateForSubscription(createId('sub'), candidate(), next.tokenHash), 'NotFoundError');
    });

    it('of rotations racing from one subscription token over several replicas, exactly one replaces it', async () => {
      const storages = await env.replicas(4);
      const sub = await seedSubscription(env.storage);
      const from = candidate();
      await env.storage.linkTokens.ensureForSubscription(sub.id, from);
      const candidates = Array.from({ length: 8 }, candidate);
      const { values, errors } = await settle(
        candidates.map((c, i) => storages[i % storages.length]!.linkTokens.rotateForSubscription(sub.id, c, from.tokenHash)),
      );
      expect(errors).toEqual([]);
      expect(values.filter((rotated) => rotated)).toHaveLength(1);
      const winner = candidates[values.indexOf(true)]!;
      expect(await env.storage.linkTokens.ensureForSubscription(sub.id, candidate())).toBe(winner.nonce);
      for (const c of candidates) if (c !== winner) expect(await env.storage.linkTokens.scopeByHash(c.tokenHash)).toBeNull();
    });

    it('an invite takes one seat once; an expired invite and a full group take none', async () => {
      const { storage, clock } = env;
      const group = await seedSubscription(storage);
      const [m1, m2] = [await seedCustomer(storage), await seedCustomer(storage)];
      const invite = await storage.sharing.createInvite({
        id: createId('inv'),
        groupId: group.id,
        tokenHash: hash(),
        expiresAt: new Date(clock.now().getTime() + HOUR),
      });
      expect(await storage.sharing.inviteByHash(invite.tokenHash)).toMatchObject({ id: invite.id, acceptedBy: null });
      const s1 = await seedSubscription(storage, { customerId: m1.id });
      const joined = await storage.sharing.join({ inviteId: invite.id, customerId: m1.id, subscriptionId: s1.id, maxMembers: 1 });
      expect(joined).toMatchObject({ ok: true, member: { groupId: group.id, subscriptionId: s1.id, customerId: m1.id, removedAt: null } });
      const again = await storage.sharing.join({ inviteId: invite.id, customerId: m2.id, subscriptionId: createId('sub'), maxMembers: 5 });
      expect(again).toEqual({ ok: false, reason: 'invite_used' });
      const second = await storage.sharing.createInvite({
        id: createId('inv'),
        groupId: group.id,
        tokenHash: hash(),
        expiresAt: new Date(clock.now().getTime() + HOUR),
      });
      const full = await storage.sharing.join({ inviteId: second.id, customerId: m2.id, subscriptionId: createId('sub'), maxMembers: 1 });
      expect(full).toEqual({ ok: false, reason: 'group_full' });
      expect((await storage.sharing.inviteByHash(second.tokenHash))!.acceptedAt).toBeNull();
      clock.advance(2 * HOUR);
      const late = await storage.sharing.join({ inviteId: second.id, customerId: m2.id, subscriptionId: createId('sub'), maxMembers: 5 });
      expect(late).toEqual({ ok: false, reason: 'invite_expired' });
      expect((await storage.sharing.members(group.id)).map((m) => m.subscriptionId)).toEqual([s1.id]);
    });

    it('a removed member frees the seat and is no longer listed', async () => {
      const { storage, clock } = env;
      const group = await seedSubscription(storage);
      const member = await seedCustomer(storage);
      const invite = await storage.sharing.createInvite({
        id: createId('inv'),
        groupId: group.id,
        tokenHash: hash(),
        expiresAt: new Date(clock.now().getTime() + HOUR),
      });
      const sub = await seedSubscription(storage, { customerId: member.id });
      await storage.sharing.join({ inviteId: invite.id, customerId: member.id, subscriptionId: sub.id, maxMembers: 1 });
      const removed = await storage.sharing.remove(sub.id);
      expect(removed).toMatchObject({ subscriptionId: sub.id, removedAt: clock.now() });
      expect(await storage.sharing.remove(sub.id)).toBeNull();
      expect(await storage.sharing.members(group.id)).toEqual([]);
      expect(await storage.sharing.memberOf(sub.id)).toMatchObject({ groupId: group.id, removedAt: clock.now() });
      expect(await storage.sharing.memberOf(group.id)).toBeNull();
    });

    it('acceptances of the last seat racing over several replicas: exactly one joins', async () => {
      const storages = await env.replicas(4);
      const { storage, clock } = env;
      const group = await seedSubscription(storage);
      const invites = await Promise.all(
        Array.from({ length: 8 }, () =>
          storage.sharing.createInvite({
            id: createId('inv'),
            groupId: group.id,
            tokenHash: hash(),
            expiresAt: new Date(clock.now().getTime() + HOUR),
          }),
        ),
      );
      const customers = await Promise.all(invites.map(() => seedCustomer(storage)));
      const subs = await Promise.all(customers.map((c) => seedSubscription(storage, { customerId: c.id })));
      const { values, errors } = await settle(
        invites.map((invite, i) =>
          storages[i % storages.length]!.transaction((tx) =>
            tx.sharing.join({ inviteId: invite.id, customerId: customers[i]!.id, subscriptionId: subs[i]!.id, maxMembers: 1 }),
          ),
        ),
      );
      expect(errors).toEqual([]);
      expect(values.filter((v) => v.ok)).toHaveLength(1);
      expect(values.filter((v) => !v.ok).map((v) => !v.ok && v.reason)).toEqual(Array(7).fill('group_full'));
      expect(await storage.sharing.members(group.id)).toHaveLength(1);
    });
  });
}
