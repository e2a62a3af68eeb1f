import { ensureFirstOwner } from '../app/auth/accounts.js';
import { verifyPassword } from '../app/auth/password.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretBox } from '@panelkit/sdk';
import { randomSecret, remembered, rememberedUpdate } from './data-folder.js';
import type { Shop } from '../app/shop.js';

/** The demo admin's login as the data folder keeps it: the password sealed with the shop's secret box. */
interface DemoAdminFile {
  email: string;
  sealedPassword?: string;
  /** Files of older versions held the password in plain text; it is sealed on the next start. */
  password?: string;
}

const DEMO_ADMIN_CONTEXT = 'data-folder:demo-admin';

/** Where the start log line (JSON, no password in it) sends a person for the demo admin's password. */
export const DEMO_ADMIN_PASSWORD_HINT = 'not logged: `npm run secrets -- demo-admin` prints it (same DATA_DIR)';

/**
 * The owner the shop starts with: ADMIN_EMAIL/ADMIN_PASSWORD when set; in demo mode a demo admin whose password is
 * generated once and kept in the data folder, sealed (so it can be printed at start). Either is created only while
 * the shop has no owner, and no account is changed afterwards (see `ensureFirstOwner`). Returns the login to print,
 * or `null` when there is nothing to tell (also once the demo admin's password or email was changed in the shop:
 * the kept login no longer opens it).
 */
export async function ensureStartupAdmin(
  shop: Shop,
  keepDir: string | null,
): Promise<{ email: string; password: string; demo: boolean } | null> {
  if (shop.config.admin !== null) {
    const result = await ensureFirstOwner(shop, shop.config.admin.email, shop.config.admin.password);
    if (!result.made && result.reason === 'email_taken')
      shop.logger.warn(
        { email: result.account.email, role: result.account.role },
        'the shop has no owner and ADMIN_EMAIL names an existing account that is not one; it is left as it is and no owner was made (set ADMIN_EMAIL to an unused address)',
      );
    return null;
  }
  if (!shop.config.demoPanel) return null;
  const box = shop.secretBox;
  const sealed = (password: string) => box.seal(password, DEMO_ADMIN_CONTEXT);
  const saved = remembered<DemoAdminFile>(keepDir, 'demo-admin.json', () => ({
    email: 'admin@example.com',
    sealedPassword: sealed(randomSecret(12)),
  }));
  const password =
    saved.sealedPassword === undefined ? (saved.password ?? randomSecret(12)) : box.open(saved.sealedPassword, DEMO_ADMIN_CONTEXT);
  // A file from before sealing: sealed now, once.
  if (saved.sealedPassword === undefined)
    rememberedUpdate(keepDir, 'demo-admin.json', { email: saved.email, sealedPassword: sealed(password) });
  await ensureFirstOwner(shop, saved.email, password);
  const account = await shop.accounts.getByEmail(saved.email);
  if (account === null || account.role !== 'admin' || !(await verifyPassword(password, account.passwordHash))) return null;
  return { email: saved.email, password, demo: true };
}

/**
 * Checks (and with `rotate`, seals again under the current key) the demo admin's password in the data
 * folder; returns the key id it is sealed with, or `null` when there is no such file.
 */
export function resealDemoAdminFile(dataDir: string, box: SecretBox, rotate: boolean): string | null {
  const file = join(dataDir, 'demo-admin.json');
  if (!existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoAdminFile;
  if (saved.sealedPassword === undefined) return null;
  const password = box.open(saved.sealedPassword, DEMO_ADMIN_CONTEXT);
  if (!rotate || box.keyIdOf(saved.sealedPassword) === box.currentKeyId) return box.keyIdOf(saved.sealedPassword);
  rememberedUpdate(dataDir, 'demo-admin.json', { email: saved.email, sealedPassword: box.seal(password, DEMO_ADMIN_CONTEXT) });
  return box.currentKeyId;
}

/**
 * The demo admin's login kept in the data folder (its password opened with the shop's secret box), or `null` when
 * the folder keeps none: what `npm run secrets -- demo-admin` prints for a shop whose start banner went to a log.
 */
export function readDemoAdminLogin(dataDir: string, box: SecretBox): { email: string; password: string } | null {
  const file = join(dataDir, 'demo-admin.json');
  if (!existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoAdminFile;
  const password = saved.sealedPassword === undefined ? saved.password : box.open(saved.sealedPassword, DEMO_ADMIN_CONTEXT);
  return password === undefined ? null : { email: saved.email, password };
}
