/**
 * A PasarGuard user's HWID devices (v4.0 on, `app/routers/hwid.py`): `GET /api/user/{id}/hwids`,
 * `DELETE /api/user/{id}/hwids/{hwid}` and `POST /api/user/{id}/hwids/reset`. A panel before v4.0 has none of
 * these routes and keeps no devices: its FastAPI "Not Found" reads as no devices.
 */
import { PanelRejectedError } from '@panelkit/sdk';
import type { CallContext, RemoteDevice } from '@panelkit/sdk/adapter';
import type { PanelHttp, PanelResponse } from '../http/index.js';
import { errorOf, expectOk, isOk } from '../marzban-family/responses.js';
import { parsePanelDate } from '../marzban-family/time.js';
import { HwidListSchema, type PasarGuardHwid } from './schemas.js';
import { isMissingRoute, type UserAddress } from './user-routes.js';

/** What a device request found: the answer, or that the panel has no device routes (before v4.0). */
export type DeviceAnswer<T> = { readonly routes: true; readonly value: T } | { readonly routes: false };

function toRemoteDevice(row: PasarGuardHwid): RemoteDevice {
  return {
    hwid: row.hwid,
    platform: row.device_os ?? null,
    osVersion: row.os_version ?? null,
    model: row.device_model ?? null,
    // The panel keeps the User-Agent per subscription update, not per device.
    userAgent: null,
    firstSeenAt: row.created_at === null ? null : parsePanelDate(row.created_at),
    lastSeenAt: row.last_used_at === null ? null : parsePanelDate(row.last_used_at),
  };
}

/** A 404 that is not the route missing: "User not found" or "HWID not found", the thing is already gone. */
function gone(response: PanelResponse): boolean {
  return response.status === 404 && !isMissingRoute(response);
}

/** The user's devices, newest first as the panel lists them; a user gone meanwhile has none. */
export async function listUserDevices(http: PanelHttp, user: UserAddress, ctx: CallContext): Promise<DeviceAnswer<RemoteDevice[]>> {
  const response = await http.send({ operation: 'listDevices', method: 'GET', path: `api/user/${user.id}/hwids` }, ctx);
  if (isMissingRoute(response)) return { routes: false };
  if (gone(response)) return { routes: true, value: [] };
  return { routes: true, value: expectOk(response, HwidListSchema, http.context('listDevices')).hwids.map(toRemoteDevice) };
}

/**
 * Deletes one device; one (or a user) the panel does not hold is success. A hardware id with a `/` cannot be
 * named in the route (the panel's server decodes the path before routing): it is refused, not sent.
 */
export async function removeUserDevice(http: PanelHttp, user: UserAddress, hwid: string, ctx: CallContext): Promise<DeviceAnswer<void>> {
  if (hwid.includes('/')) {
    const message = 'PasarGuard cannot delete one device whose hardware id holds a "/"; reset the user’s devices instead';
    throw new PanelRejectedError(message, http.context('removeDevice'), [{ path: 'hwid', message }]);
  }
  const path = `api/user/${user.id}/hwids/${encodeURIComponent(hwid)}`;
  const response = await http.send({ operation: 'removeDevice', method: 'DELETE', path }, ctx);
  if (isMissingRoute(response)) return { routes: false };
  if (!isOk(response) && !gone(response)) throw errorOf(response, http.context('removeDevice'));
  return { routes: true, value: undefined };
}

/** Deletes every device of the user (`{ count }`); a user the panel does not hold is success. */
export async function resetUserDevices(http: PanelHttp, user: UserAddress, ctx: CallContext): Promise<DeviceAnswer<void>> {
  const response = await http.send({ operation: 'resetDevices', method: 'POST', path: `api/user/${user.id}/hwids/reset` }, ctx);
  if (isMissingRoute(response)) return { routes: false };
  if (!isOk(response) && !gone(response)) throw errorOf(response, http.context('resetDevices'));
  return { routes: true, value: undefined };
}
