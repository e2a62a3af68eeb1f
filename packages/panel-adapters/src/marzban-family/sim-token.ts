/** Simulators only: an HS256 JWT like the panels issue (`app/utils/jwt.py`), so adapters can read `exp`. */
import { createHmac, randomBytes } from 'node:crypto';

const SECRET = randomBytes(32);

export function jwtLike(claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  // A nonce, so two logins in the same second still get different tokens.
  const payload = Buffer.from(JSON.stringify({ ...claims, jti: randomBytes(8).toString('hex') })).toString('base64url');
  const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
