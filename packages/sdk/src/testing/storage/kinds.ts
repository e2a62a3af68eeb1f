import { describe, expect, it } from 'vitest';
import type { EntitlementKind } from '../../domain/entitlement.js';
import { createId } from '../../domain/ids.js';
import { deriveRemoteIdentity, identityAtGeneration } from '../../domain/remote-identity.js';
import type { RemoteIdentity } from '../../domain/remote-identity.js';
import type { SubscriptionPatch } from '../../domain/subscription.js';
import { termsOf } from '../../domain/subscription-terms.js';
import type { SubscriptionTerms } from '../../domain/subscription-terms.js';
import { CONFORMANCE_SECRET, seedPlan, seedSubscription, seedSubscriptionParents, seedTarget } from './fixtures.js';
import { MINUTE, expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

/** A subscription's identity derived for `kind` under the suite's secret, as the engine derives it. */
function identityOf(subscriptionId: string, kind: EntitlementKind, generation = 0): RemoteIdentity {
  return deriveRemoteIdentity(subscriptionId, generation, { secret: CONFORMANCE_SECRET }, kind);
}

/** Kinds lists every storage must refuse: none, a kind twice, a kind that does not exist. */
const BAD_KINDS = [[], ['xray', 'xray'], ['openvpn']] as unknown as EntitlementKind[][];

/** Storage port 28: what a plan, a target and a subscription sell (design §9). */
export function kindsSuite(env: SuiteEnv): void {
  describe('product kinds (port 28)', () => {
    it("a plan's kinds default to ['xray'], round-trip as given and through a patch; bad kinds are refused and nothing is written", async () => {
      const { storage, clock } = env;
      const plain = await seedPlan(storage);
      expect(plain.kinds).toEqual(['xray']);
      const bundle = await seedPlan(storage, { kinds: ['wireguard', 'mtproto'] });
      expect(bundle.kinds).toEqual(['wireguard', 'mtproto']);
      expect(await storage.plans.get(bundle.id)).toEqual(bundle);
      expect((await storage.plans.list()).find((p) => p.id === bundle.id)).toEqual(bundle);

      clock.advance(MINUTE);
      const patched = await storage.plans.update(plain.id, { kinds: ['xray', 'amneziawg'] });
      expect(patched).toEqual({ ...plain, kinds: ['xray', 'amneziawg'], updatedAt: clock.now() });
      expect(await storage.plans.get(plain.id)).toEqual(patched);

      for (const kinds of BAD_KINDS) {
        await expectRejects(storage.plans.update(plain.id, { kinds }), 'ValidationError');
        await expectRejects(seedPlan(storage, { kinds }), 'ValidationError');
      }
      expect(await storage.plans.get(plain.id)).toEqual(patched);
      expect((await storage.plans.list()).map((p) => p.id).sort()).toEqual([plain.id, bundle.id].sort());
    });

    it("a target's kinds default to ['xray'], round-trip as given and through a patch; bad kinds are refused and change nothing", async () => {
      const { storage, clock } = env;
      const older = await seedTarget(storage);
      expect(older.kinds).toEqual(['xray']);
      const wg = await seedTarget(storage, { kinds: ['wireguard'] });
      expect(await storage.targets.get(wg.id)).toEqual(wg);
      expect(wg.kinds).toEqual(['wireguard']);
      expect((await storage.targets.getByRemoteRef(wg.panelId, wg.remoteRef))?.kinds).toEqual(['wireguard']);

      clock.advance(MINUTE);
      const synced = await storage.targets.update(wg.id, { kinds: ['wireguard', 'amneziawg'] });
      expect(synced).toEqual({ ...wg, kinds: ['wireguard', 'amneziawg'], updatedAt: clock.now() });
      expect(await storage.targets.get(wg.id)).toEqual(synced);
      // A patch without kinds keeps them.
      const renamed = await storage.targets.update(wg.id, { name: 'renamed' });
      expect(renamed.kinds).toEqual(['wireguard', 'amneziawg']);

      for (const kinds of BAD_KINDS) await expectRejects(storage.targets.update(wg.id, { name: 'bad', kinds }), 'ValidationError');
      expect(await storage.targets.get(wg.id)).toEqual(renamed);
    });

    it("a subscription's kind defaults to 'xray' and round-trips; a patch naming it is refused and writes nothing", async () => {
      const { storage } = env;
      const xray = await seedSubscription(storage);
      expect(xray.kind).toBe('xray');
      const id = createId('sub');
      const mtproto = await seedSubscription(storage, { id, kind: 'mtproto', remote: identityOf(id, 'mtproto') });
      expect(mtproto.kind).toBe('mtproto');
      expect(await storage.subscriptions.get(id)).toEqual(mtproto);
      expect(await storage.subscriptions.getByUsername(mtproto.panelId, mtproto.remote.username)).toEqual(mtproto);
      expect((await storage.subscriptions.listByCustomer(mtproto.customerId, { limit: 10 })).items).toEqual([mtproto]);

      for (const sub of [xray, mtproto]) {
        const patch = { autoRenew: true, kind: 'wireguard' } as unknown as SubscriptionPatch;
        await expectRejects(storage.subscriptions.update(sub.id, patch, { expectedRevision: sub.revision }), 'ValidationError');
        expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
      }
      await expectRejects(seedSubscription(storage, { kind: 'openvpn' as EntitlementKind }), 'ValidationError');
    });

    it("terms round-trip with their kinds; terms given without kinds read ['xray'], at create and through a patch", async () => {
      const { storage } = env;
      const parents = await seedSubscriptionParents(storage);
      const plan = await storage.plans.update(parents.planId, { kinds: ['wireguard', 'mtproto'] });
      const bundleTerms = termsOf(plan);
      expect(bundleTerms.kinds).toEqual(['wireguard', 'mtproto']);
      const id = createId('sub');
      const sold = await seedSubscription(storage, {
        ...parents,
        id,
        kind: 'wireguard',
        remote: identityOf(id, 'wireguard'),
        terms: bundleTerms,
      });
      expect((await storage.subscriptions.get(id))?.terms).toEqual(bundleTerms);

      const { kinds: _kinds, ...olderTerms } = bundleTerms;
      const older = await seedSubscription(storage, { ...parents, terms: olderTerms as SubscriptionTerms });
      expect(older.terms?.kinds).toEqual(['xray']);
      expect((await storage.subscriptions.get(older.id))?.terms).toEqual({ ...bundleTerms, kinds: ['xray'] });

      const patched = await storage.subscriptions.update(
        id,
        { terms: olderTerms as SubscriptionTerms },
        { expectedRevision: sold.revision },
      );
      expect(patched.terms?.kinds).toEqual(['xray']);
      expect((await storage.subscriptions.get(id))?.terms).toEqual({ ...bundleTerms, kinds: ['xray'] });
      expect((await storage.subscriptions.get(id))?.kind).toBe('wireguard');
    });

    it.each(['wireguard', 'amneziawg', 'mtproto'] as const)(
      '%s: the identity round-trips inside remote, at create and through a rotation; malformed or mismatched credentials are refused',
      async (kind) => {
        const { storage } = env;
        const id = createId('sub');
        const remote = identityOf(id, kind);
        expect(kind === 'mtproto' ? remote.mtproto : remote.wireguard).toBeDefined();
        const sub = await seedSubscription(storage, { id, kind, remote });
        expect(sub.remote).toEqual(remote);
        expect((await storage.subscriptions.get(id))?.remote).toEqual(remote);
        expect((await storage.subscriptions.getByUsername(sub.panelId, remote.username))?.remote).toEqual(remote);

        const rotated = identityAtGeneration(remote, id, 1, { secret: CONFORMANCE_SECRET });
        const updated = await storage.subscriptions.update(id, { remote: rotated }, { expectedRevision: sub.revision });
        expect(updated.remote).toEqual(rotated);
        expect((await storage.subscriptions.get(id))?.remote).toEqual(rotated);
        expect(rotated).not.toEqual(remote);

        // A public key not the private key's, a malformed key, a core not of 32 lower-case hex: refused, nothing written.
        const other = identityOf(createId('sub'), kind);
        const broken: RemoteIdentity[] =
          rotated.wireguard === undefined
            ? [{ ...rotated, mtproto: { secretCore: rotated.mtproto!.secretCore.toUpperCase() } }]
            : [
                { ...rotated, wireguard: { ...rotated.wireguard, publicKey: other.wireguard!.publicKey } },
                { ...rotated, wireguard: { ...rotated.wireguard, privateKey: 'not-a-key' } },
              ];
        const freshId = createId('sub');
        for (const bad of broken) {
          await expectRejects(storage.subscriptions.update(id, { remote: bad }, { expectedRevision: updated.revision }), 'ValidationError');
          const credentials = bad.wireguard === undefined ? { mtproto: bad.mtproto! } : { wireguard: bad.wireguard };
          const freshRemote = { ...identityOf(freshId, kind), ...credentials };
          await expectRejects(seedSubscription(storage, { id: freshId, kind, remote: freshRemote }), 'ValidationError');
        }
        expect(await storage.subscriptions.get(id)).toEqual(updated);
        expect(await storage.subscriptions.get(freshId)).toBeNull();
      },
    );
  });
}
