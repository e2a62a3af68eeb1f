/**
 * Reading clients off S-UI. There is no lookup by name: `GET clients` lists every client (lossy
 * rows: no `config`/`links`, and `delayStart`/`resetDays`/`autoReset` read as zero on v1.4+),
 * `GET clients?id=1,2` returns full rows. A row from the list is never written back.
 */
import type { CallContext, ClientRef } from '@panelkit/sdk/adapter';
import type { SuiApi } from './api.js';
import { SuiClientListSchema, SuiFullClientListSchema, type SuiClientRow, type SuiFullClient } from './schemas.js';

/** Ids per `clients?id=` call, keeping the URL a few kilobytes long. */
const IDS_PER_CALL = 400;

/** The fields a list row reads as zero whatever the database holds. */
export type HeldFields = Pick<SuiClientRow, 'delayStart' | 'autoReset' | 'resetDays'>;

export async function listRows(api: SuiApi, operation: string, ctx: CallContext): Promise<SuiClientRow[]> {
  const { clients } = await api.get(operation, 'clients', {}, SuiClientListSchema, ctx);
  return clients;
}

export async function fullRows(api: SuiApi, operation: string, ids: readonly number[], ctx: CallContext): Promise<SuiFullClient[]> {
  const out: SuiFullClient[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
    const chunk = ids.slice(i, i + IDS_PER_CALL);
    const { clients } = await api.get(operation, 'clients', { id: chunk.join(',') }, SuiFullClientListSchema, ctx);
    out.push(...clients);
  }
  return out;
}

/** The client the panel serves for a name: the lowest id, as the panel's own `First()` picks. */
export function byName(rows: readonly SuiClientRow[], name: string): SuiClientRow | undefined {
  let found: SuiClientRow | undefined;
  for (const row of rows) if (row.name === name && (found === undefined || row.id < found.id)) found = row;
  return found;
}

/** Every row with this name (the backend does not enforce uniqueness). */
export function allNamed(rows: readonly SuiClientRow[], name: string): SuiClientRow[] {
  return rows.filter((row) => row.name === name);
}

/**
 * The full row of a client: by the remembered id when it still holds that name (ids are cheap
 * to check and spare listing the whole panel), else by name from the list. `null` when absent.
 */
export async function fullRowFor(api: SuiApi, operation: string, ref: ClientRef, ctx: CallContext): Promise<SuiFullClient | null> {
  const remembered = ref.remoteClientId ? Number(ref.remoteClientId) : Number.NaN;
  if (Number.isSafeInteger(remembered) && remembered > 0) {
    const [row] = await fullRows(api, operation, [remembered], ctx);
    if (row && row.name === ref.username) return row;
  }
  const row = byName(await listRows(api, operation, ctx), ref.username);
  if (!row) return null;
  const [full] = await fullRows(api, operation, [row.id], ctx);
  return full && full.name === ref.username ? full : null;
}

/**
 * Whether a list row may hide a start-on-first-use client: on v1.4+ (rows carry `delayStart`,
 * always false there) a held client shows `expiry: 0`, like a client that never expires.
 */
export function mayBeHeld(row: SuiClientRow): boolean {
  return row.delayStart !== undefined && row.expiry <= 0;
}

/** The held fields of the rows that may hide them, read from their full rows. */
export async function resolveHeld(
  api: SuiApi,
  operation: string,
  rows: readonly SuiClientRow[],
  ctx: CallContext,
): Promise<Map<number, HeldFields>> {
  const ids = rows.filter(mayBeHeld).map((row) => row.id);
  const held = new Map<number, HeldFields>();
  if (ids.length === 0) return held;
  for (const full of await fullRows(api, operation, ids, ctx)) {
    held.set(full.id, { delayStart: full.delayStart, autoReset: full.autoReset, resetDays: full.resetDays });
  }
  return held;
}
