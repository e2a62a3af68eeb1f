/**
 * Unit conversion at the edge: S-UI's `expiry` is unix SECONDS (0 = never), `volume`/`up`/`down`
 * are bytes (0 = unlimited), and start-on-first-use is `delayStart` + `resetDays` (whole days;
 * on first traffic the panel sets `expiry = now + resetDays·86400`, `service/client.go ResetClients`).
 */
import type { ClientPatch, ClientRef, ClientSpec, Expiry, RemoteClient, TargetRef } from '@panelkit/sdk/adapter';
import { buildSuiConfig } from './credentials.js';
import type { SuiClientRow, SuiFullClient } from './schemas.js';

const DAY_MS = 86_400_000;

/** The client fields a save sends; `id` only on `edit`. */
export interface SuiClientBody {
  id?: number;
  enable: boolean;
  name: string;
  config: Record<string, Record<string, unknown>>;
  inbounds: number[];
  links: { type: string; remark?: string; uri: string }[];
  volume: number;
  expiry: number;
  up: number;
  down: number;
  desc: string;
  group: string;
  remark: string;
  delayStart: boolean;
  autoReset: boolean;
  resetDays: number;
  nextReset: number;
  totalUp: number;
  totalDown: number;
  createdAt?: number;
  onlineAt?: number;
  [key: string]: unknown;
}

/** The S-UI fields an {@link Expiry} becomes. `resetDays` only matters with `delayStart`. */
export interface SuiExpiryFields {
  expiry: number;
  delayStart: boolean;
  resetDays: number;
}

/**
 * Whole days for a start-on-first-use period, or `null` when the duration is not a whole number
 * of days (S-UI cannot hold it; the caller reports that before writing anything).
 */
export function delayDays(durationMs: number): number | null {
  if (!Number.isFinite(durationMs) || durationMs <= 0 || durationMs % DAY_MS !== 0) return null;
  return durationMs / DAY_MS;
}

/** `at` rounds up to the second, so a client never loses the fraction it paid for. */
export function expiryToSui(expiry: Expiry): SuiExpiryFields {
  switch (expiry.type) {
    case 'never':
      return { expiry: 0, delayStart: false, resetDays: 0 };
    case 'at':
      return { expiry: Math.max(1, Math.ceil(expiry.at.getTime() / 1000)), delayStart: false, resetDays: 0 };
    case 'after_first_use': {
      const days = delayDays(expiry.durationMs);
      if (days === null) throw new RangeError('start-on-first-use needs a whole number of days');
      // The UI forces expiry 0 with delayStart (the panel sets it at first use).
      return { expiry: 0, delayStart: true, resetDays: days };
    }
  }
}

/** Reads an expiry back. `delayStart` only counts while `autoReset` is off (else it is a reset cycle). */
export function expiryFromSui(row: Pick<SuiClientRow, 'expiry' | 'delayStart' | 'autoReset' | 'resetDays'>): Expiry {
  if (row.delayStart === true && row.autoReset !== true && (row.resetDays ?? 0) > 0 && row.expiry <= 0) {
    return { type: 'after_first_use', durationMs: (row.resetDays ?? 0) * DAY_MS };
  }
  if (row.expiry > 0) return { type: 'at', at: new Date(row.expiry * 1000) };
  return { type: 'never' };
}

function panelStatus(row: SuiClientRow, expiry: Expiry): string {
  if (!row.enable) return 'disabled';
  if (row.volume > 0 && row.up + row.down > row.volume) return 'limited';
  if (expiry.type === 'after_first_use') return 'on_hold';
  return 'active';
}

/**
 * A panel row as the port's {@link RemoteClient}. `full` supplies the fields a list row lies
 * about (`delayStart`, `resetDays`, `autoReset`); without it the row's own values are used.
 */
export function toRemoteClient(
  row: SuiClientRow,
  target: TargetRef,
  full?: Pick<SuiClientRow, 'delayStart' | 'autoReset' | 'resetDays'> | null,
): RemoteClient {
  const source = full ? { ...row, delayStart: full.delayStart, autoReset: full.autoReset, resetDays: full.resetDays } : row;
  const expiry = expiryFromSui(source);
  const ref: ClientRef = { target, username: row.name, remoteClientId: String(row.id) };
  return {
    ref,
    enabled: row.enable,
    expiry,
    trafficLimitBytes: row.volume > 0 ? row.volume : null,
    usedBytes: row.up + row.down,
    uploadBytes: row.up,
    downloadBytes: row.down,
    deviceLimit: null,
    panelStatus: panelStatus(row, expiry),
    lastOnlineAt: row.onlineAt !== undefined && row.onlineAt > 0 ? new Date(row.onlineAt * 1000) : null,
  };
}

/** The body of `save clients new` for one spec, on one inbound. */
export function newClientBody(spec: ClientSpec, inboundId: number): SuiClientBody {
  const name = spec.identity.username;
  return {
    enable: spec.enabled,
    name,
    config: buildSuiConfig(name, spec.identity),
    inbounds: [inboundId],
    links: [],
    volume: spec.trafficLimitBytes ?? 0,
    ...expiryToSui(spec.expiry),
    up: 0,
    down: 0,
    desc: spec.note ?? '',
    group: '',
    remark: '',
    autoReset: false,
    nextReset: 0,
    totalUp: 0,
    totalDown: 0,
  };
}

/**
 * The body of `save clients edit`: the FULL row (an edit is a full-row replace: an omitted
 * `config` wipes the credentials, omitted `up`/`down` reset usage), with the patch applied.
 */
export function editedClientBody(full: SuiFullClient, patch: ClientPatch): SuiClientBody {
  const body: SuiClientBody = {
    ...full,
    desc: full.desc ?? '',
    group: full.group ?? '',
    remark: full.remark ?? '',
    delayStart: full.delayStart ?? false,
    autoReset: full.autoReset ?? false,
    resetDays: full.resetDays ?? 0,
    nextReset: full.nextReset ?? 0,
    totalUp: full.totalUp ?? 0,
    totalDown: full.totalDown ?? 0,
  };
  if (patch.enabled !== undefined) body.enable = patch.enabled;
  if (patch.trafficLimitBytes !== undefined) body.volume = patch.trafficLimitBytes ?? 0;
  if (patch.expiry !== undefined) {
    const fields = expiryToSui(patch.expiry);
    body.expiry = fields.expiry;
    body.delayStart = fields.delayStart;
    if (fields.delayStart) {
      body.resetDays = fields.resetDays;
      body.autoReset = false;
    } else if (!body.autoReset) {
      body.resetDays = 0;
    }
  }
  return body;
}
