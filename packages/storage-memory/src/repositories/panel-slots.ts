import { ValidationError } from '@panelkit/sdk';
import { inputKey, inputString } from '@panelkit/sdk/storage';
import type { Op } from '../internal/op.js';

/** Who holds a panel's slot, and until when (ms on the storage's clock). */
interface SlotLease {
  holder: string;
  until: number;
}

/** Held slots by panel id, then slot number. */
export type PanelSlotTable = Map<string, Map<number, SlotLease>>;

export function createPanelSlotTable(): PanelSlotTable {
  return new Map();
}

function positive(value: number, field: string, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new ValidationError('invalid panel slot request', [{ path: field, message: `a whole number from 1 to ${max}` }]);
  return value;
}

export function panelSlotOperations(slots: PanelSlotTable) {
  return {
    /** The lowest free slot (or one whose lease ended), leased to `holder` until `leaseMs` from the call's now. */
    take(op: Op, panelId: string, size: number, holder: string, leaseMs: number): number | null {
      const panel = inputKey(panelId, 'panel id');
      const count = positive(size, 'size', 1000);
      const who = inputString(holder, 'panel slot', 'holder', { min: 1, max: 200 });
      const lease = positive(leaseMs, 'leaseMs', 86_400_000);
      const now = op.now.getTime();
      let held = slots.get(panel);
      if (held === undefined) {
        held = new Map();
        slots.set(panel, held);
      }
      for (let slot = 0; slot < count; slot++) {
        const current = held.get(slot);
        if (current !== undefined && current.until > now) continue;
        const table = held;
        table.set(slot, { holder: who, until: now + lease });
        op.undo.push(() => {
          if (current === undefined) table.delete(slot);
          else table.set(slot, current);
        });
        return slot;
      }
      return null;
    },

    /** Leases the slot to `holder` again from the call's now, when nobody took it from `holder`. */
    renew(op: Op, panelId: string, slot: number, holder: string, leaseMs: number): boolean {
      const lease = positive(leaseMs, 'leaseMs', 86_400_000);
      const held = slots.get(inputKey(panelId, 'panel id'));
      const current = held?.get(slot);
      if (held === undefined || current === undefined || current.holder !== holder) return false;
      held.set(slot, { holder, until: op.now.getTime() + lease });
      op.undo.push(() => held.set(slot, current));
      return true;
    },

    /** Frees the slot when `holder` still holds it. */
    give(op: Op, panelId: string, slot: number, holder: string): void {
      const held = slots.get(inputKey(panelId, 'panel id'));
      const current = held?.get(slot);
      if (held === undefined || current === undefined || current.holder !== holder) return;
      held.delete(slot);
      op.undo.push(() => held.set(slot, current));
    },
  };
}
