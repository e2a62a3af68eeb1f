/**
 * The simulated Remnawave's `/api/hwid/devices…` routes (`HwidUserDevicesController`, `HwidUserDevicesService`):
 * every answer is `{ response: { total, devices } }` with the user's devices after the change, HTTP 200. A user
 * that is not there is `A025` (404), a device that is not there `A204` (404).
 */
import { readJsonBody, type Router } from '../harness/index.js';
import { devicesBody, upsertDevice, type RemnawaveHwidSettings } from './hwid.js';
import type { RemnawaveSimUser } from './state.js';
import { CreateHwidDeviceBody, DeleteAllHwidDevicesBody, DeleteHwidDeviceBody, issuesOf } from './validate.js';
import { SIM_ERRORS, coded, ok, validationFailed } from './wire.js';

/** What the routes need of the simulator. */
export interface HwidRouteDeps {
  /** Wraps a handler in the API-token check. */
  authed(
    handler: (request: Request, params: Record<string, string>, path: string) => Response | Promise<Response>,
  ): (request: Request, params: Record<string, string>, path: string) => Response | Promise<Response>;
  /** The `GET …/:id` wrapper: a bad id is a validation failure, a missing user `A025`. */
  byId(
    handler: (request: Request, user: RemnawaveSimUser, path: string) => Response | Promise<Response>,
  ): (request: Request, params: Record<string, string>, path: string) => Response | Promise<Response>;
  user(id: number): RemnawaveSimUser | undefined;
  hwidSettings(): RemnawaveHwidSettings;
  now(): number;
}

async function bodyOf(request: Request): Promise<unknown> {
  const read = await readJsonBody(request);
  return read.ok ? read.value : undefined;
}

/** Adds the HWID device routes to `router`. */
export function hwidRoutes(router: Router<string>, deps: HwidRouteDeps): void {
  const answer = (user: RemnawaveSimUser) => ok(devicesBody(user.id, user.hwidDevices));
  router.on(
    'GET',
    '/api/hwid/devices/:id',
    deps.byId((_request, user) => answer(user)),
  );
  router.on(
    'POST',
    '/api/hwid/devices',
    deps.authed(async (request, _params, path) => {
      const parsed = CreateHwidDeviceBody.safeParse(await bodyOf(request));
      if (!parsed.success) return validationFailed(issuesOf(parsed.error));
      const input = parsed.data;
      const user = deps.user(input.userId);
      if (user === undefined) return coded(SIM_ERRORS.USER_NOT_FOUND, path, deps.now());
      if (user.hwidDevices.some((device) => device.hwid === input.hwid))
        return coded(SIM_ERRORS.USER_HWID_DEVICE_ALREADY_EXISTS, path, deps.now());
      const settings = deps.hwidSettings();
      if (settings.enabled && user.hwidDevices.length >= (user.hwidDeviceLimit ?? settings.fallbackDeviceLimit))
        return coded(SIM_ERRORS.USER_HWID_DEVICE_LIMIT_REACHED, path, deps.now());
      upsertDevice(
        user,
        {
          hwid: input.hwid,
          platform: input.platform ?? null,
          osVersion: input.osVersion ?? null,
          deviceModel: input.deviceModel ?? null,
          userAgent: input.userAgent ?? null,
        },
        deps.now(),
      );
      return answer(user);
    }),
  );
  router.on(
    'POST',
    '/api/hwid/devices/delete',
    deps.authed(async (request, _params, path) => {
      const parsed = DeleteHwidDeviceBody.safeParse(await bodyOf(request));
      if (!parsed.success) return validationFailed(issuesOf(parsed.error));
      const user = deps.user(parsed.data.userId);
      if (user === undefined) return coded(SIM_ERRORS.USER_NOT_FOUND, path, deps.now());
      const index = user.hwidDevices.findIndex((device) => device.hwid === parsed.data.hwid);
      if (index < 0) return coded(SIM_ERRORS.HWID_DEVICE_NOT_FOUND, path, deps.now());
      user.hwidDevices.splice(index, 1);
      return answer(user);
    }),
  );
  router.on(
    'POST',
    '/api/hwid/devices/delete-all',
    deps.authed(async (request, _params, path) => {
      const parsed = DeleteAllHwidDevicesBody.safeParse(await bodyOf(request));
      if (!parsed.success) return validationFailed(issuesOf(parsed.error));
      const user = deps.user(parsed.data.userId);
      if (user === undefined) return coded(SIM_ERRORS.USER_NOT_FOUND, path, deps.now());
      user.hwidDevices = [];
      return answer(user);
    }),
  );
}
