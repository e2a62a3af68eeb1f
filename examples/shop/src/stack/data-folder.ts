import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A small JSON file in the data folder, made once with `create()` and read on every later start
 * (the generated secret, the demo panels' logins and ports, the demo admin's password).
 * `dataDir: null` (tests) keeps nothing and creates every time.
 */
export function remembered<T>(dataDir: string | null, name: string, create: () => T): T {
  if (dataDir === null) return create();
  const file = join(dataDir, name);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const value = create();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  return value;
}

export function rememberedUpdate<T>(dataDir: string | null, name: string, value: T): void {
  if (dataDir === null) return;
  writeFileSync(join(dataDir, name), `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
