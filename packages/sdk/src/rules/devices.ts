import type { NoHwidPolicy } from '../domain/device.js';

/** The device terms of a subscription: how many devices it may use, and what it does with an app sending no id. */
export interface DeviceTerms {
  /** Most devices at once; `null` is no limit. */
  deviceLimit: number | null;
  noHwidPolicy: NoHwidPolicy;
}

/**
 * Why a device is refused: every slot is taken by other devices, the app sent no id (both `decideDeviceAccess`), or
 * the subscription is a trial and this device already took a trial of the plan family on another account
 * (`trial_already_used`, from `kit.devices.touch`).
 */
export type DeviceRefusal = 'limit_reached' | 'hwid_required' | 'trial_already_used';

/**
 * What `decideDeviceAccess` answers: `refresh` a device already known (served), `register` a new one (served,
 * it takes a slot), `serve_uncounted` a request without an id under the `serve` policy, or `refuse` it.
 */
export type DeviceDecision =
  | { verdict: 'refresh' }
  | { verdict: 'register' }
  | { verdict: 'serve_uncounted' }
  | { verdict: 'refuse'; reason: DeviceRefusal; count: number };

/** Input of `decideDeviceAccess`. */
export interface DeviceAccessInput {
  terms: DeviceTerms;
  /** The requesting device's hardware id; `null` when the app sent none. */
  hwid: string | null;
  /** Hardware ids of the devices the registry holds for the subscription. */
  registered: readonly string[];
  /**
   * Hardware ids the subscription's panel reports for its client (devices that reached the panel's own link);
   * counted too, once each, with the registry's.
   */
  panelHwids?: readonly string[];
}

/**
 * Whether a request from a device is served, for the subscription's device terms and the devices known (the
 * registry's and the panel's, each hardware id once). A known id is refreshed whatever the limit (a lowered
 * limit never locks out a device already counted); a new one is registered while the devices known are fewer
 * than the limit, refused `limit_reached` otherwise. A request without an id is served uncounted or refused
 * `hwid_required`, as `noHwidPolicy` says.
 */
export function decideDeviceAccess({ terms, hwid, registered, panelHwids = [] }: DeviceAccessInput): DeviceDecision {
  const known = new Set([...registered, ...panelHwids]);
  if (hwid === null) {
    return terms.noHwidPolicy === 'serve'
      ? { verdict: 'serve_uncounted' }
      : { verdict: 'refuse', reason: 'hwid_required', count: known.size };
  }
  if (registered.includes(hwid)) return { verdict: 'refresh' };
  // A device the panel already counts but the registry has not seen takes no new slot there: register it.
  if (terms.deviceLimit === null || known.has(hwid) || known.size < terms.deviceLimit) return { verdict: 'register' };
  return { verdict: 'refuse', reason: 'limit_reached', count: known.size };
}
