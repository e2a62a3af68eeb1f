/**
 * How the adapter stays logged in to 3x-ui.
 *
 * - Password: `GET {base}csrf-token` first; a JSON token means v3 (send `X-CSRF-Token` on login
 *   and on every unsafe request), anything else means v2 (no CSRF). Then `POST {base}login`
 *   (form-encoded, as the panel's own UI posts it).
 * - Token (v3.0+): `Authorization: Bearer …`; no login, no CSRF.
 *
 * "Auth lost" is every signal the versions use: 401, any 3xx (a redirect to the login page before
 * v2.8.4), 404 with an empty body (v2.8.4+, also a bad token), 403 with an empty body (the CSRF
 * token no longer matches), and an HTML page where JSON was expected (a client that followed the
 * redirect). `PanelHttp` logs in once more and repeats the request once on any of these.
 */
import { PanelAuthError } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import type { PanelLogin, PanelToken } from '../http/credentials.js';
import { errorForStatus, looksLikeHtml, parseJson, readJson } from '../http/index.js';
import type { PanelHttp, PanelRequest, PanelResponse, RawExchange, SessionStrategy } from '../http/index.js';
import { CsrfTokenSchema, EnvelopeSchema } from './schemas.js';

/** A panel login (with a TOTP code when 2FA is on, v2.6+) or a v3.0+ API token. */
export type XuiAuth = (PanelLogin & { readonly twoFactorCode?: string }) | PanelToken;

/** The operation name of the generation probe: its empty 404 means "no such route" on this version, never "logged out". */
export const PROBE_OPERATION = 'probe';
/** Reading the subscription settings, whose route moved in v3.3: an empty 404 means "not here". */
export const SETTINGS_OPERATION = 'subscription-settings';

export class XuiSession implements SessionStrategy {
  #loggedIn = false;
  #csrf: string | undefined;
  /** Learned at the first login: whether this panel wants CSRF (v3.0+). */
  csrfPanel: boolean | undefined;

  constructor(
    private readonly auth: XuiAuth,
    private readonly http: () => PanelHttp,
  ) {}

  get usesToken(): boolean {
    return 'token' in this.auth;
  }

  needsLogin(): boolean {
    return !this.usesToken && !this.#loggedIn;
  }

  async login(raw: RawExchange, ctx: CallContext): Promise<void> {
    if ('token' in this.auth) return;
    const context = this.http().context('login');
    const probe = await raw.exchange({ operation: 'login', method: 'GET', path: 'csrf-token' }, ctx);
    const token = probe.status === 200 ? CsrfTokenSchema.safeParse(safeJson(probe)) : undefined;
    this.csrfPanel = token?.success === true;
    this.#csrf = token?.success ? token.data.obj : undefined;
    const form: Record<string, string> = { username: this.auth.username, password: this.auth.password };
    if (this.auth.twoFactorCode !== undefined) form.twoFactorCode = this.auth.twoFactorCode;
    const response = await raw.exchange(
      { operation: 'login', method: 'POST', path: 'login', form, headers: this.#csrf ? { 'x-csrf-token': this.#csrf } : {} },
      ctx,
    );
    if (response.status === 404)
      throw new PanelAuthError('the panel has no login page at this base URL (check the base path)', { ...context, status: 404 });
    if (response.status !== 200) throw errorForStatus(response, context);
    const envelope = parseJson(response, EnvelopeSchema, context);
    if (!envelope.success)
      throw new PanelAuthError('the panel refused the username, password or two-factor code', { ...context, status: 200 });
    this.#loggedIn = true;
  }

  authHeaders(request: PanelRequest): Record<string, string> {
    if ('token' in this.auth) return { authorization: `Bearer ${this.auth.token}` };
    if (this.#csrf && request.method !== 'GET') return { 'x-csrf-token': this.#csrf };
    return {};
  }

  isAuthLost(response: PanelResponse, request: PanelRequest): boolean {
    const emptyBody = response.body.trim() === '';
    if (response.status === 401) return true;
    if (response.status >= 300 && response.status < 400) return true;
    if (response.status === 403 && emptyBody) return true;
    if (response.status === 404 && emptyBody) return request.operation !== PROBE_OPERATION && request.operation !== SETTINGS_OPERATION;
    return response.status === 200 && looksLikeHtml(response);
  }

  invalidate(): void {
    this.#loggedIn = false;
    this.#csrf = undefined;
  }
}

function safeJson(response: PanelResponse): unknown {
  try {
    return readJson(response, { panelKind: '3x-ui' });
  } catch {
    return undefined;
  }
}
