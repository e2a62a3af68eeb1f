import { createId, type Device, type Subscription } from '@panelkit/sdk';
import { decideDeviceAccess } from '@panelkit/sdk/rules';
import { inputKey, parseDeviceRefresh, parseDeviceSeenQuery, parseDeviceTouch, refreshUnneeded } from '@panelkit/sdk/storage';
import type { DeviceRefreshRequest, DeviceSeenCount, DeviceTouchRequest, DeviceTouchResult } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import type { Table } from '../internal/table.js';

/** Registered devices by subscription id, in `list`'s order (first seen, then id). */
export type DeviceTable = Map<string, Device[]>;

function byFirstSeen(a: Device, b: Device): number {
  return a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** An empty device table, for a new memory storage. */
export function createDeviceTable(): DeviceTable {
  return new Map();
}

/**
 * The device registry in memory. Calls run one at a time (the memory storage serialises them), so counting and
 * registering in one call is exact without a lock.
 */
export function deviceOperations(devices: DeviceTable, subscriptions: Table<Subscription>) {
  /** Replaces the subscription's devices, recording the old list to restore on rollback. */
  function store(op: Op, subscriptionId: string, next: Device[]): void {
    const before = devices.get(subscriptionId);
    if (next.length === 0) devices.delete(subscriptionId);
    else devices.set(subscriptionId, next);
    op.undo.push(() => {
      if (before === undefined) devices.delete(subscriptionId);
      else devices.set(subscriptionId, before);
    });
  }

  return {
    touch(op: Op, request: DeviceTouchRequest): DeviceTouchResult {
      const { subscriptionId, device, terms, panelHwids } = parseDeviceTouch(request);
      subscriptions.require(subscriptionId);
      const current = devices.get(subscriptionId) ?? [];
      const decision = decideDeviceAccess({ terms, hwid: device.hwid, registered: current.map((d) => d.hwid), panelHwids });
      if (decision.verdict === 'refuse') return { outcome: 'refused', reason: 'limit_reached', count: decision.count };
      const known = current.find((d) => d.hwid === device.hwid);
      const row: Device =
        known === undefined
          ? { ...device, id: createId('dev'), subscriptionId, firstSeenAt: op.now, lastSeenAt: op.now }
          : { ...known, ...device, lastSeenAt: op.now };
      store(op, subscriptionId, known === undefined ? [...current, row].sort(byFirstSeen) : current.map((d) => (d === known ? row : d)));
      return { outcome: known === undefined ? 'registered' : 'refreshed', device: copy(row) };
    },

    refresh(op: Op, request: DeviceRefreshRequest): Device | null {
      const refresh = parseDeviceRefresh(request);
      const { subscriptionId, device } = refresh;
      const current = devices.get(subscriptionId) ?? [];
      const known = current.find((d) => d.hwid === device.hwid);
      if (known === undefined) return null;
      if (refreshUnneeded(known, refresh)) return copy(known);
      const row: Device = { ...known, ...device, lastSeenAt: op.now };
      store(
        op,
        subscriptionId,
        current.map((d) => (d === known ? row : d)),
      );
      return copy(row);
    },

    countSeen(_op: Op, subscriptionIds: readonly string[], since: Date): DeviceSeenCount[] {
      const query = parseDeviceSeenQuery(subscriptionIds, since);
      const counts: DeviceSeenCount[] = [];
      for (const subscriptionId of query.subscriptionIds) {
        const seen = (devices.get(subscriptionId) ?? []).filter((d) => d.lastSeenAt.getTime() >= query.since.getTime()).length;
        if (seen > 0) counts.push({ subscriptionId, devices: seen });
      }
      return counts;
    },

    list(_op: Op, subscriptionId: string): Device[] {
      return copy(devices.get(inputKey(subscriptionId, 'subscription id')) ?? []);
    },

    remove(op: Op, subscriptionId: string, deviceId: string): Device | null {
      const current = devices.get(inputKey(subscriptionId, 'subscription id')) ?? [];
      const id = inputKey(deviceId, 'device id');
      const removed = current.find((d) => d.id === id);
      if (removed === undefined) return null;
      store(
        op,
        subscriptionId,
        current.filter((d) => d !== removed),
      );
      return copy(removed);
    },

    removeAll(op: Op, subscriptionId: string): Device[] {
      const current = devices.get(inputKey(subscriptionId, 'subscription id')) ?? [];
      if (current.length > 0) store(op, subscriptionId, []);
      return copy(current);
    },
  };
}
