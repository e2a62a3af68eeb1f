/**
 * Where one PasarGuard user is read and written. v5.2.1 deprecates the username routes
 * (`/api/user/{username}`, `…/reset`; removed in v6) for the id routes (`/api/user/by-id/{id}`),
 * which panels before v3.1 lack. The id routes are used first; a panel answering FastAPI's own
 * "Not Found" (no such route, as opposed to the panel's "User not found") or 405 is remembered as
 * one without them, and that request is sent again on the username route (it reached no handler,
 * so nothing was applied).
 */
import type { CallContext, ClientRef } from '@panelkit/sdk/adapter';
import { PanelNotFoundError, PanelOutcomeUnknownError } from '@panelkit/sdk';
import type { PanelHttp, PanelRequest, PanelResponse } from '../http/index.js';
import { expectOk } from '../marzban-family/responses.js';
import { UserSchema, UsersPageSchema, type PasarGuardUser } from './schemas.js';

/** What `UserRoutes.send` needs of a user to address it: its id and its name. */
export type UserAddress = Pick<PasarGuardUser, 'id' | 'username'>;

/** FastAPI's answer for a path no route matches (or a route under another method). */
export function isMissingRoute(response: PanelResponse): boolean {
  if (response.status === 405) return true;
  if (response.status !== 404) return false;
  try {
    return (JSON.parse(response.body) as { detail?: unknown }).detail === 'Not Found';
  } catch {
    return false;
  }
}

function idOf(ref: ClientRef): number | null {
  const id = ref.remoteClientId ? Number(ref.remoteClientId) : Number.NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** One user's routes on one panel, by id where the panel has them (probed on first use). */
export class UserRoutes {
  readonly #http: PanelHttp;
  /** `undefined` until a by-id request answers; `false` on a panel without the id routes. */
  #byId: boolean | undefined;

  constructor(http: PanelHttp) {
    this.#http = http;
  }

  /** Whether the panel is known to have the id routes (`undefined`: not asked yet). */
  get idRoutes(): boolean | undefined {
    return this.#byId;
  }

  /**
   * Sends `method` to the user's route (`suffix` such as `/reset`), by id unless the panel lacks the
   * id routes; a missing route is remembered and the request sent once more by username.
   */
  async send(user: UserAddress, request: Omit<PanelRequest, 'path'> & { suffix?: string }, ctx: CallContext): Promise<PanelResponse> {
    const { suffix = '', ...rest } = request;
    if (this.#byId !== false) {
      const response = await this.#http.send({ ...rest, path: `api/user/by-id/${user.id}${suffix}` }, ctx);
      if (!isMissingRoute(response)) {
        this.#byId = true;
        return response;
      }
      this.#byId = false;
    }
    return this.#http.send({ ...rest, path: `api/user/${encodeURIComponent(user.username)}${suffix}` }, ctx);
  }

  /**
   * The user `ref` names, or `null` when none has its name: by the id the ref carries (checked to
   * still carry the name: a deleted id may be given again), else looked up by name.
   */
  async find(ref: Pick<ClientRef, 'username' | 'remoteClientId'>, operation: string, ctx: CallContext): Promise<PasarGuardUser | null> {
    const id = this.#byId === false ? null : idOf(ref as ClientRef);
    if (id !== null) {
      const response = await this.send({ id, username: ref.username }, { operation, method: 'GET' }, ctx);
      if (response.status !== 404) {
        const user = expectOk(response, UserSchema, this.#http.context(operation));
        if (user.username === ref.username) return user;
      }
    }
    return this.byName(ref.username, operation, ctx);
  }

  /** The user named `username`, or `null`: `GET /api/users?username=` (every version has it), or the old route. */
  async byName(username: string, operation: string, ctx: CallContext): Promise<PasarGuardUser | null> {
    if (this.#byId === false) {
      const response = await this.#http.send({ operation, method: 'GET', path: `api/user/${encodeURIComponent(username)}` }, ctx);
      if (response.status === 404) return null;
      return expectOk(response, UserSchema, this.#http.context(operation));
    }
    const query = { username, load_sub: 'true' };
    const response = await this.#http.send({ operation, method: 'GET', path: 'api/users', query }, ctx);
    const page = expectOk(response, UsersPageSchema, this.#http.context(operation));
    return page.users.find((user) => user.username === username) ?? null;
  }

  /** The user `ref` names; none is `PanelNotFoundError`. */
  async require(ref: Pick<ClientRef, 'username' | 'remoteClientId'>, operation: string, ctx: CallContext): Promise<PasarGuardUser> {
    const user = await this.find(ref, operation, ctx);
    if (user === null) {
      throw new PanelNotFoundError(`user ${ref.username} is not on the panel`, this.#http.context(operation, { status: 404 }));
    }
    return user;
  }

  /** Reads a user back after an unclear answer (`cause`); a failing read makes the outcome unknown. */
  async readBack(
    ref: Pick<ClientRef, 'username' | 'remoteClientId'>,
    operation: string,
    ctx: CallContext,
    cause: Error,
  ): Promise<PasarGuardUser | null> {
    try {
      return await this.find(ref, operation, ctx);
    } catch (error) {
      throw new PanelOutcomeUnknownError('the panel failed and reading back failed too', this.#http.context(operation), {
        cause: error,
        details: { first: (cause as { code?: string }).code },
      });
    }
  }
}
