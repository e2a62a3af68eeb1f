import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fillEnvTemplate, freshSettings } from './stack/env-file.js';

const USAGE =
  'usage: init --email owner@example.com [--url https://shop.example.com] [--image <the shop image>] [--template .env.example] <.env to write>';

/**
 * `init`: writes a new `.env` for the compose file from `.env.example`, with fresh secrets (SHOP_SECRET,
 * SHOP_SECRET_KEYS, the database password), the first owner's e-mail and a random password (printed once), and
 * the address and image when given.
 * It never overwrites: an existing file is left as it is and the command fails.
 */
function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, url: { type: 'string' }, image: { type: 'string' }, template: { type: 'string' } },
  });
  const email = z.email().safeParse(values.email);
  const url = z
    .url({ protocol: /^https?$/ })
    .optional()
    .safeParse(values.url);
  const target = positionals[0];
  const image = values.image === undefined || /^[\w./:@-]+$/.test(values.image) ? (values.image ?? null) : undefined;
  if (!email.success || !url.success || image === undefined || target === undefined || positionals.length > 1) {
    console.error(USAGE);
    process.exit(2);
  }
  // In the image the template sits beside src/; in the repository it is deploy/.env.example.
  const templateFile =
    values.template ??
    [resolve(import.meta.dirname, '../.env.example'), resolve(import.meta.dirname, '../../../deploy/.env.example')].find(existsSync);
  if (templateFile === undefined) throw new Error('no .env.example found: pass --template');
  const settings = freshSettings({ adminEmail: email.data.toLowerCase(), publicUrl: url.data ?? null, image });
  const text = fillEnvTemplate(readFileSync(templateFile, 'utf8'), settings);
  try {
    // `wx`: fails when the file exists, so a second run can never replace the secrets of a running shop.
    writeFileSync(resolve(target), text, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      console.error(`init: ${target} exists; it is left as it is (move it away first to make a new one)`);
      process.exit(1);
    }
    throw error;
  }
  console.log(
    [
      `wrote ${target} with fresh secrets (keep a copy of it with your backups: they cannot be restored without SHOP_SECRET_KEYS)`,
      `first owner: ${settings['ADMIN_EMAIL']} / ${settings['ADMIN_PASSWORD']} (change it after the first sign-in)`,
    ].join('\n'),
  );
}

main(process.argv.slice(2));
