import type { PanelkitError } from '../../errors.js';

/** The adapter operations a fault can target. */
export type FakePanelOperation =
  | 'health'
  | 'listTargets'
  | 'createClients'
  | 'getClient'
  | 'updateClient'
  | 'resetUsage'
  | 'deleteClient'
  | 'listClients'
  | 'listDevices'
  | 'removeDevice'
  | 'resetDevices'
  | 'listClientAddresses'
  | 'links';

/** What happens to the next calls of one operation. */
export type FakeFault =
  /** The call fails before doing anything. */
  | {
      readonly type: 'fail';
      /** Makes the error the call throws (a fresh one per call). */
      readonly error: () => PanelkitError;
    }
  /** The panel applies the call, then the response is lost: the call throws `error` anyway. */
  | {
      readonly type: 'lose_response';
      /** Makes the error the call throws after applying it (a fresh one per call). */
      readonly error: () => PanelkitError;
    };

interface Pending {
  fault: FakeFault;
  remaining: number;
}

/** Per-operation queues of faults, consumed one call at a time. */
export class FaultPlan {
  readonly #pending = new Map<FakePanelOperation, Pending[]>();

  add(operation: FakePanelOperation, fault: FakeFault, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be a positive integer');
    const queue = this.#pending.get(operation) ?? [];
    queue.push({ fault, remaining: times });
    this.#pending.set(operation, queue);
  }

  /** The fault for this call, if one is armed; consumes it. */
  take(operation: FakePanelOperation): FakeFault | undefined {
    const queue = this.#pending.get(operation);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining--;
    if (head.remaining === 0) queue.shift();
    return head.fault;
  }

  clear(): void {
    this.#pending.clear();
  }
}
