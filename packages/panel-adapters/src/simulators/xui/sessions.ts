/**
 * Sessions as 3x-ui keeps them: a cookie (`3x-ui`, `session` before v2.3.8) with an absolute
 * lifetime of `sessionMaxAge` minutes from login, a CSRF token bound to the session from v3.0,
 * and Bearer API tokens from v3.0. How a request without valid auth is answered depends on the
 * version (307 / 401 JSON before v2.8.4, 404 empty after, 401 empty for XHR on v3.1+).
 */
import { randomBytes } from 'node:crypto';
import { empty, json } from '../harness/index.js';
import { MSG } from './envelope.js';
import type { XuiVersionTraits } from './version.js';

interface Session {
  csrf: string;
  loggedIn: boolean;
  expiresAt: number;
}

/** Whether a request is authenticated (by cookie or, v3.0+, Bearer token), or the response 3x-ui gives when it is not. */
export type AuthResult = { ok: true; viaToken: boolean } | { ok: false; response: Response };

/** The simulated 3x-ui's sessions and API tokens; each version answers unauthenticated requests its own way. */
export class XuiSessions {
  readonly #sessions = new Map<string, Session>();
  readonly tokens = new Set<string>();
  logins = 0;
  sessionMaxAgeMinutes = 360;

  constructor(
    private readonly traits: XuiVersionTraits,
    private readonly basePath: string,
  ) {}

  /** The `Set-Cookie` value for a session id, with this version's cookie name and lifetime. */
  cookieHeader(id: string): string {
    const path = this.traits.genB || this.traits.csrf ? this.basePath : '/';
    return `${this.traits.cookieName}=${id}; Path=${path}; Max-Age=${this.sessionMaxAgeMinutes * 60}; HttpOnly; SameSite=Lax`;
  }

  #sessionId(request: Request): string | undefined {
    const cookie = request.headers.get('cookie') ?? '';
    for (const part of cookie.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === this.traits.cookieName) return rest.join('=');
    }
    return undefined;
  }

  #live(request: Request, now: number): [string, Session] | undefined {
    const id = this.#sessionId(request);
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= now) {
      this.#sessions.delete(id);
      return undefined;
    }
    return [id, session];
  }

  /** `GET {base}csrf-token`: the token of the caller's session (a new, anonymous one if needed). */
  csrfToken(request: Request, now: number): Response {
    let live = this.#live(request, now);
    if (!live) {
      const id = randomBytes(18).toString('base64url');
      live = [id, { csrf: randomBytes(32).toString('base64url'), loggedIn: false, expiresAt: now + this.sessionMaxAgeMinutes * 60_000 }];
      this.#sessions.set(...live);
    }
    return json({ success: true, obj: live[1].csrf }, 200, { 'set-cookie': this.cookieHeader(live[0]) });
  }

  /** `POST {base}login`. */
  login(request: Request, fields: Record<string, unknown>, credentials: { username: string; password: string }, now: number): Response {
    let session: [string, Session] | undefined;
    if (this.traits.csrf) {
      session = this.#live(request, now);
      if (!session || request.headers.get('x-csrf-token') !== session[1].csrf) return empty(403);
    }
    if (fields.username !== credentials.username || fields.password !== credentials.password) {
      return json({ success: false, msg: MSG.loginFail, obj: null });
    }
    this.logins++;
    const id = randomBytes(18).toString('base64url');
    const csrf = session?.[1].csrf ?? '';
    if (session) this.#sessions.delete(session[0]);
    this.#sessions.set(id, { csrf, loggedIn: true, expiresAt: now + this.sessionMaxAgeMinutes * 60_000 });
    return json({ success: true, msg: this.traits.loginOk, obj: null }, 200, { 'set-cookie': this.cookieHeader(id) });
  }

  /** Whether an API request is authenticated; otherwise the version's "not logged in" answer. */
  check(request: Request, now: number): AuthResult {
    const authorization = request.headers.get('authorization') ?? '';
    if (this.traits.bearer && authorization.startsWith('Bearer ')) {
      if (this.tokens.has(authorization.slice(7))) return { ok: true, viaToken: true };
      return { ok: false, response: this.unauthenticated(request) };
    }
    const live = this.#live(request, now);
    if (!live?.[1].loggedIn) return { ok: false, response: this.unauthenticated(request) };
    if (
      this.traits.csrf &&
      !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(request.method) &&
      request.headers.get('x-csrf-token') !== live[1].csrf
    ) {
      return { ok: false, response: empty(403) };
    }
    return { ok: true, viaToken: false };
  }

  /** The response this version gives a request without valid auth (a redirect, a 401 or an empty 404). */
  unauthenticated(request: Request): Response {
    const xhr = request.headers.get('x-requested-with') === 'XMLHttpRequest';
    switch (this.traits.unauthenticated) {
      case 'redirect-or-401-json':
        if (xhr) return json({ success: false, msg: MSG.sessionExpired, obj: null }, 401);
        return new Response(request.method === 'GET' ? `<a href="${this.basePath}">Temporary Redirect</a>.\n\n` : null, {
          status: 307,
          headers: { location: this.basePath, ...(request.method === 'GET' ? { 'content-type': 'text/html; charset=utf-8' } : {}) },
        });
      case '404-empty':
        return empty(404);
      case '404-or-401-empty':
        return empty(xhr ? 401 : 404);
    }
  }

  /** Gives every session a new CSRF token (the next unsafe request with the old one gets 403 empty). */
  rotateCsrf(): void {
    for (const session of this.#sessions.values()) session.csrf = randomBytes(32).toString('base64url');
  }

  /** Drops every session (the next API call finds itself logged out). */
  expireAll(): void {
    this.#sessions.clear();
  }
}
