/**
 * The Marzban family's admin tokens, as the simulators issue and check them: HS256 JWTs like the
 * panels' (`app/utils/jwt.py`, so adapters can read `exp`), which expire, and which
 * `expireAll()` invalidates at once (the panels do that when the admin's password changes).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { json } from '../harness/index.js';

const SECRET = randomBytes(32);
const DEFAULT_LIFETIME_MS = 24 * 3_600_000;

function jwtLike(claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  // A nonce, so two logins in the same second still get different tokens.
  const payload = Buffer.from(JSON.stringify({ ...claims, jti: randomBytes(8).toString('hex') })).toString('base64url');
  const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export class SimBearerTokens {
  readonly #tokens = new Map<string, { generation: number; expiresAt: number }>();
  readonly #lifetimeMs: number;
  #generation = 0;

  constructor(lifetimeMs = DEFAULT_LIFETIME_MS) {
    this.#lifetimeMs = lifetimeMs;
  }

  /** A new token for the admin, valid from `nowMs` for the lifetime. */
  issue(admin: string, nowMs: number): string {
    const expiresAt = nowMs + this.#lifetimeMs;
    const token = jwtLike({ sub: admin, access: 'sudo', iat: Math.floor(nowMs / 1000), exp: Math.floor(expiresAt / 1000) });
    this.#tokens.set(token, { generation: this.#generation, expiresAt });
    return token;
  }

  /** Invalidates every token issued so far. */
  expireAll(): void {
    this.#generation++;
  }

  /** The panel's 401 when the request holds no live bearer token; `null` when it does. */
  reject(request: Request, nowMs: number): Response | null {
    const header = request.headers.get('authorization') ?? '';
    if (!header.toLowerCase().startsWith('bearer ')) return json({ detail: 'Not authenticated' }, 401, { 'www-authenticate': 'Bearer' });
    const token = this.#tokens.get(header.slice(7).trim());
    if (!token || token.generation !== this.#generation || token.expiresAt <= nowMs) {
      return json({ detail: 'Could not validate credentials' }, 401, { 'www-authenticate': 'Bearer' });
    }
    return null;
  }
}
