import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { withAuditOutbox } from '../../src/index.js';
import type { AuditEvent, NewAuditEvent } from '../../src/index.js';
import type { OrderPlacement, PlaceOptions, PlaceResult, StoragePort, StorageTransaction } from '../../src/storage.js';
import { ManualClock } from '../../src/testing/index.js';

const LAST: PlaceOptions = { last: { nearlyFullPercent: 90 } };

/** A memory storage whose transactions' `orders.place` records the options it is given and writes nothing. */
function recordingPlacements(): { storage: StoragePort; given: (PlaceOptions | undefined)[] } {
  const inner = createMemoryStorage({ clock: new ManualClock('2026-03-01T00:00:00.000Z') });
  const given: (PlaceOptions | undefined)[] = [];
  const place = async (placement: OrderPlacement, options?: PlaceOptions): Promise<PlaceResult> => {
    given.push(options);
    const audit = placement.audit.map((e, n): AuditEvent => ({ ...e, id: `aud_${n}`, at: new Date(0) }) as AuditEvent);
    return { ok: true, order: placement.order as never, subscriptions: [], audit, targets: [] };
  };
  const storage = new Proxy(inner, {
    get(target, property) {
      if (property !== 'transaction') return Reflect.get(target, property, target);
      return <T>(fn: (tx: StorageTransaction) => Promise<T>) =>
        target.transaction((tx) => fn({ ...tx, orders: { ...tx.orders, place } } as StorageTransaction));
    },
  });
  return { storage, given };
}

const event = (action: string): NewAuditEvent => ({
  actor: { type: 'system' },
  action,
  subjectType: 'order',
  subjectId: 'ord_1',
  data: {},
});
const placement = (...actions: string[]) => ({ order: { id: 'ord_1' }, audit: actions.map(event) }) as unknown as OrderPlacement;

describe('withAuditOutbox: the actions its hooks act on', () => {
  it('passes a placement’s `last` on only when none of its events is of an action the hooks act on', async () => {
    const { storage, given } = recordingPlacements();
    const hooked: string[][] = [];
    const outbox = withAuditOutbox(storage, async () => {}, {
      many: async (_tx, events) => {
        hooked.push(events.map((e) => e.action));
      },
      actions: ['target.nearly_full'],
    });
    await outbox.transaction((tx) => tx.orders.place(placement('order.placed', 'subscription.ordered'), LAST));
    await outbox.transaction((tx) => tx.orders.place(placement('order.placed', 'target.nearly_full'), LAST));
    expect(given).toEqual([LAST, undefined]);
    // Only the acted-on event reaches the hook.
    expect(hooked).toEqual([['target.nearly_full']]);
  });

  it('without `actions` every event reaches the hooks, and a placement’s `last` is dropped', async () => {
    const { storage, given } = recordingPlacements();
    const hooked: string[][] = [];
    const outbox = withAuditOutbox(storage, async () => {}, {
      many: async (_tx, events) => {
        hooked.push(events.map((e) => e.action));
      },
    });
    await outbox.transaction((tx) => tx.orders.place(placement('order.placed'), LAST));
    expect(given).toEqual([undefined]);
    expect(hooked).toEqual([['order.placed']]);
  });

  it('an appended event of another action reaches neither hook', async () => {
    const seen: string[] = [];
    const outbox = withAuditOutbox(
      createMemoryStorage({ clock: new ManualClock('2026-03-01T00:00:00.000Z') }),
      async (_tx, e) => {
        seen.push(`one:${e.action}`);
      },
      {
        many: async (_tx, events) => {
          seen.push(...events.map((e) => `many:${e.action}`));
        },
        actions: ['test.greeted'],
      },
    );
    await outbox.audit.append(event('test.ignored'));
    await outbox.audit.append(event('test.greeted'));
    await outbox.transaction((tx) => tx.audit.appendMany([event('test.ignored'), event('test.greeted')]));
    await outbox.audit.appendMany([event('test.ignored')]);
    expect(seen).toEqual(['one:test.greeted', 'many:test.greeted']);
  });
});
