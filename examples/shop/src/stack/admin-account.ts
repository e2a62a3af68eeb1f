import { ensureAdmin } from '../auth/accounts.js';
import { randomSecret, remembered } from './data-folder.js';
import type { Shop } from './shop.js';

/**
 * The admin the shop starts with: ADMIN_EMAIL/ADMIN_PASSWORD when set; in demo mode a demo admin
 * whose password is generated once and kept in the data folder (so it can be printed at start).
 * Returns the login to print, or `null` when there is nothing to tell.
 */
export async function ensureStartupAdmin(shop: Shop, keepDir: string | null): Promise<{ email: string; password: string; demo: boolean } | null> {
  if (shop.config.admin !== null) {
    await ensureAdmin(shop, shop.config.admin.email, shop.config.admin.password);
    return null;
  }
  if (!shop.config.demoPanel) return null;
  const login = remembered(keepDir, 'demo-admin.json', () => ({ email: 'admin@example.com', password: randomSecret(12) }));
  await ensureAdmin(shop, login.email, login.password);
  return { ...login, demo: true };
}
