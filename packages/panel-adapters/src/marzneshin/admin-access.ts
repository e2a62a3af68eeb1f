/**
 * What the adapter's admin may do on Marzneshin, and what a 403 on a user path means for it.
 *
 * Marzneshin checks ownership before existence (`app/dependencies.py get_user`): a non-sudo admin gets
 * 403 "You're not allowed" for a user that does not exist as well as for another admin's user, on every
 * `/api/users/{username}…` route. Modify, delete, reset, enable, disable and revoke give the same 403 to
 * an admin without `modify_users_access`. So such a 403 is read against the admin's own record:
 * - a sudo admin never gets it for a missing user: it stays a refusal (`PanelAuthError`);
 * - a write by an admin without `modify_users_access`: a `PanelAuthError` that says so;
 * - otherwise the user is not this admin's to see (missing, or another admin's), which the port
 *   reports as not found (and a create's 409 as a conflict).
 */
import { PanelAuthError } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import type { PanelHttp, PanelResponse } from '../http/index.js';
import { detailText } from '../marzban-family/error-detail.js';
import { expectOk } from '../marzban-family/responses.js';
import { AdminSchema, type MarzneshinAdmin } from './schemas.js';

/** The `detail` of the ownership (and modify-permission) 403 on user paths. */
export const NOT_ALLOWED = "You're not allowed";

/**
 * Why this admin cannot run a shop on the panel, or `null` when it can: it must be able to change and
 * delete the users it creates, and use at least one service.
 */
export function adminRefusal(admin: MarzneshinAdmin): string | null {
  if (admin.is_sudo) return null;
  if (!admin.modify_users_access) {
    return `admin ${admin.username} is not sudo and lacks modify_users_access: it could create users but never change or delete them`;
  }
  if (!admin.all_services_access && admin.service_ids.length === 0) {
    return `admin ${admin.username} is not sudo, lacks all_services_access and has no services: every user it creates would get none`;
  }
  return null;
}

/** Reads the logged-in admin (`GET /api/admins/current`, never cached) to tell an ownership 403 from a refusal. */
export class MarzneshinAdminAccess {
  readonly #http: PanelHttp;

  constructor(http: PanelHttp) {
    this.#http = http;
  }

  /** `GET /api/admins/current`: the logged-in admin and its permissions. */
  async current(operation: string, ctx: CallContext): Promise<MarzneshinAdmin> {
    const response = await this.#http.send({ operation, method: 'GET', path: 'api/admins/current' }, ctx);
    return expectOk(response, AdminSchema, this.#http.context(operation));
  }

  /**
   * Whether `response` (to a request on one user's path) is the ownership 403 of a user this admin
   * cannot see. `false` for any other answer, which the caller handles as before. The admin is read
   * afresh each time: a cached "may modify" gone stale would turn a refused delete into a success.
   * Throws `PanelAuthError` for a `write` by an admin without `modify_users_access`.
   */
  async hidesUser(response: PanelResponse, operation: string, write: boolean, ctx: CallContext): Promise<boolean> {
    if (response.status !== 403 || detailOf(response) !== NOT_ALLOWED) return false;
    const admin = await this.current(operation, ctx);
    if (admin.is_sudo) return false;
    if (write && !admin.modify_users_access) {
      const message = `admin ${admin.username} may not change users on this panel (modify_users_access is off)`;
      throw new PanelAuthError(message, this.#http.context(operation, { status: 403 }));
    }
    return true;
  }
}

function detailOf(response: PanelResponse): string | null {
  try {
    return detailText(JSON.parse(response.body));
  } catch {
    return null;
  }
}
