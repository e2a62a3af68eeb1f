import { randomBytes } from 'node:crypto';
import { formatSecretKeys, generateSecretKey } from '@panelkit/sdk';

/** What `init` asks for: the first owner's e-mail and the shop's public address. */
export interface EnvFileInput {
  adminEmail: string;
  /** `https://shop.example.com`; `null` leaves PUBLIC_URL for the owner to fill in. */
  publicUrl: string | null;
  /** The shop's image for the compose file (SHOP_IMAGE); `null` leaves it for the owner to fill in. */
  image?: string | null;
}

/**
 * The settings `init` fills in: fresh secrets, the database password (as POSTGRES_PASSWORD, which creates the
 * database, and PGPASSWORD, which the shop signs in with: one value), the first owner's login.
 */
export function freshSettings(input: EnvFileInput, random: (bytes: number) => Buffer = randomBytes): Record<string, string> {
  const databasePassword = random(24).toString('hex');
  const settings: Record<string, string> = {
    SHOP_SECRET: random(32).toString('base64url'),
    SHOP_SECRET_KEYS: formatSecretKeys([{ ...generateSecretKey('k1'), key: random(32) }]),
    POSTGRES_PASSWORD: databasePassword,
    PGPASSWORD: databasePassword,
    ADMIN_EMAIL: input.adminEmail,
    ADMIN_PASSWORD: random(18).toString('base64url'),
  };
  if (input.publicUrl !== null) settings['PUBLIC_URL'] = input.publicUrl;
  if (input.image !== undefined && input.image !== null) settings['SHOP_IMAGE'] = input.image;
  return settings;
}

/**
 * `.env.example` with these settings filled in: each `NAME=` line (commented out or not) of a setting given
 * becomes `NAME=value`; the rest of the template, with its explanations, is kept as written.
 */
export function fillEnvTemplate(template: string, settings: Record<string, string>): string {
  const left = new Set(Object.keys(settings));
  const lines = template.split('\n').map((line) => {
    const name = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
    if (name === undefined || !left.has(name)) return line;
    left.delete(name);
    return `${name}=${settings[name]}`;
  });
  for (const name of left) lines.push(`${name}=${settings[name]}`);
  return lines.join('\n');
}
