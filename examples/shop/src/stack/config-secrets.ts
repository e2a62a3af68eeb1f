import type { ShopConfig } from '../config/config.js';

/**
 * The secret values in the shop's settings, for the logger to blank wherever they appear: SHOP_SECRET, the
 * sealing keys, the bot token and webhook secret, the startup admin's password, the database password (PGPASSWORD
 * or inside DATABASE_URL) and SMTP_URL's.
 */
export function configSecrets(config: ShopConfig): string[] {
  const values = [
    config.secret,
    ...(config.secretKeys ?? []).flatMap((k) => [Buffer.from(k.key).toString('base64'), Buffer.from(k.key).toString('base64url')]),
    config.telegram?.token,
    config.telegram?.webhook?.secret,
    config.admin?.password,
    config.database.kind === 'postgres' ? passwordIn(config.database.url) : null,
    config.database.kind === 'postgres' ? config.database.password : null,
    config.notifications.email === null ? null : passwordIn(config.notifications.email.smtpUrl),
  ];
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

function passwordIn(url: string): string | null {
  try {
    const password = new URL(url).password;
    return password === '' ? null : decodeURIComponent(password);
  } catch {
    return null;
  }
}
