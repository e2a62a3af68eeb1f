/**
 * PasarGuard's API keys (`pg_key_<uuid4>`, made in the panel and sent as `X-Api-Key`,
 * `app/routers/authentication.py _extract_api_key`): no login, so nothing is reported to the
 * owner's Telegram and no password is stored. A key the panel refuses (revoked, expired, deleted)
 * cannot be renewed by the adapter: the call fails with `PanelAuthError`, not retried.
 */
import { PanelAuthError, type PanelErrorContext } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import type { PanelRequest, PanelResponse, SessionStrategy } from '../http/index.js';

/** A PasarGuard API key, in place of an admin's username and password. */
export interface PasarGuardApiKey {
  readonly apiKey: string;
}

/** `pg_key_` and a version-4 uuid, as the panel checks it before looking it up. */
const API_KEY = /^pg_key_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Whether `auth` is an API key (the other shape is an admin login). */
export function isApiKey(auth: object): auth is PasarGuardApiKey {
  return typeof (auth as { apiKey?: unknown }).apiKey === 'string';
}

/** Whether the text has the shape of a PasarGuard API key. */
export function looksLikeApiKey(text: string): boolean {
  return API_KEY.test(text);
}

/** The `SessionStrategy` of an API key: a header on every request; a 401 means the key is refused. */
export class ApiKeySession implements SessionStrategy {
  readonly #key: string;
  readonly #context: (operation: string) => PanelErrorContext;
  #refused = false;

  constructor(key: string, context: (operation: string) => PanelErrorContext) {
    this.#key = key;
    this.#context = context;
  }

  needsLogin(): boolean {
    return this.#refused;
  }

  /** Nothing to log in with: a refused key stays refused until the panel's admin issues it again. */
  async login(_raw: unknown, _ctx: CallContext): Promise<void> {
    if (this.#refused) {
      this.#refused = false;
      throw new PanelAuthError('the panel refused the API key (revoked, expired or deleted)', { ...this.#context('login'), status: 401 });
    }
  }

  authHeaders(_request: PanelRequest): Record<string, string> {
    return { 'x-api-key': this.#key };
  }

  isAuthLost(response: PanelResponse, _request: PanelRequest): boolean {
    return response.status === 401;
  }

  invalidate(): void {
    this.#refused = true;
  }
}
