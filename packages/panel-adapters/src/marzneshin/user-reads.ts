/** Reading one Marzneshin user, where a non-sudo admin's 403 can mean "not there" (see `admin-access.ts`). */
import type { CallContext } from '@panelkit/sdk/adapter';
import type { PanelHttp } from '../http/index.js';
import { expectOk } from '../marzban-family/responses.js';
import { UserReads } from '../marzban-family/user-reads.js';
import type { MarzneshinAdminAccess } from './admin-access.js';
import { UserSchema, type MarzneshinUser } from './schemas.js';

/** Marzneshin lower-cases names on create and looks them up case-sensitively. */
export function nameOf(username: string): string {
  return username.toLowerCase();
}

/** `api/users/{lower-case name}`. */
export function userPath(username: string): string {
  return `api/users/${encodeURIComponent(nameOf(username))}`;
}

/** {@link UserReads} whose `get` (and so `require` and `readBack`) also reads a hidden user as missing. */
export class MarzneshinUserReads extends UserReads<MarzneshinUser> {
  readonly #http: PanelHttp;
  readonly #access: MarzneshinAdminAccess;

  constructor(http: PanelHttp, access: MarzneshinAdminAccess) {
    super(http, UserSchema, userPath);
    this.#http = http;
    this.#access = access;
  }

  /** The user, or `null` on a 404 or when this (non-sudo) admin cannot see it. */
  override async get(username: string, operation: string, ctx: CallContext): Promise<MarzneshinUser | null> {
    const response = await this.#http.send({ operation, method: 'GET', path: userPath(username) }, ctx);
    if (response.status === 404 || (await this.#access.hidesUser(response, operation, false, ctx))) return null;
    return expectOk(response, UserSchema, this.#http.context(operation));
  }
}
