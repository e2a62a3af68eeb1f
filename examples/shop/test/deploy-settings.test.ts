import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../src/config/config.js';
import { fillEnvTemplate, freshSettings } from '../src/stack/env-file.js';
import { documentedBlock } from './support/deploy-readme.js';

const root = join(import.meta.dirname, '../../..');
const envExample = readFileSync(join(root, 'deploy/.env.example'), 'utf8');
const compose = readFileSync(join(root, 'deploy/compose.yaml'), 'utf8');
const caddyCompose = readFileSync(join(root, 'deploy/compose.caddy.yaml'), 'utf8');
/** Every `NAME=` line of `.env.example`, commented out or not. */
const listed = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

/** The environment variables the shop's source reads outside the settings schema (`process.env['X']`). */
function sourceEnvReads(dir: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/process\.env(?:\['([A-Z][A-Z0-9_]*)'\]|\.([A-Z][A-Z0-9_]*))/g)) names.push((m[1] ?? m[2]) as string);
  }
  return names;
}

describe('deploy/.env.example', () => {
  it('lists every setting the shop reads', () => {
    const read = [...SETTING_NAMES, ...sourceEnvReads(join(import.meta.dirname, '../src'))];
    expect(read.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists every variable the compose files read', () => {
    const used = [...`${compose}${caddyCompose}`.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string);
    expect(used.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('ships every variable the compose files interpolate as a commented-out line, and no line with an empty value', () => {
    // podman-compose 1.0.3 applies `${NAME:?…}` and `${NAME:-default}` only to an unset variable: an empty
    // `SHOP_IMAGE=` or `PUBLIC_URL=` line would pass its check as an empty value, so none is shipped.
    const interpolated = new Set([...`${compose}${caddyCompose}`.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string));
    expect([...interpolated]).toEqual(expect.arrayContaining(['SHOP_IMAGE', 'PUBLIC_URL']));
    const set = new Set([...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string));
    expect([...interpolated].filter((name) => set.has(name))).toEqual([]);
    expect(envExample.match(/^[A-Z][A-Z0-9_]*=\s*$/gm)).toBeNull();
    // The header says so, and no longer that an empty value counts as missing (true of the shop, not of compose).
    expect(envExample).not.toMatch(/an empty value counts as missing/);
    expect(envExample).toMatch(/never leave an empty NAME= line/);
  });

  it('hands the shop every setting as a file, never a secret as an interpolated value (podman-compose prints those)', () => {
    // Every shop service and PostgreSQL get .env whole (`env_file`): the tool prints its path, not its values.
    expect(compose).toMatch(/^x-shop: &shop\n(?: {2}.*\n)*? {2}env_file: \.env$/m);
    expect(compose).toMatch(/^ {2}postgres:\n(?: {4}.*\n)*? {4}env_file: \.env$/m);
    const interpolated = [...`${compose}${caddyCompose}`.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string);
    const secrets = [
      'SHOP_SECRET',
      'SHOP_SECRET_KEYS',
      'POSTGRES_PASSWORD',
      'PGPASSWORD',
      'ADMIN_PASSWORD',
      'TELEGRAM_BOT_TOKEN',
      'SMTP_URL',
    ];
    expect(interpolated.filter((name) => secrets.includes(name))).toEqual([]);
    expect(compose).not.toMatch(/postgres:\/\/[^@\s]*:[^@\s]*@/); // no password in the fixed DATABASE_URL
  });
});

describe('the image build command', () => {
  it('is the same in the Dockerfile’s header as in the README', () => {
    const dockerfile = readFileSync(join(root, 'deploy/Dockerfile'), 'utf8');
    // The header's command: its `#   podman build …` line and the continuation lines after it.
    const header = /^# {3}(podman build [^\n]*\\\n(?:# {5}[^\n]*\\\n)*# {5}[^\n]*)$/m.exec(dockerfile)?.[1];
    expect(header).toBeDefined();
    const fromHeader = (header as string).replace(/\\\n# +/g, '').replaceAll('<version>', '0.2.0');
    const fromReadme = documentedBlock('image-from-source').find((line) => line.startsWith('podman build '));
    expect(fromHeader).toBe(fromReadme);
    expect(fromHeader).toContain('--format docker'); // podman's default (OCI) format drops the HEALTHCHECK
  });
});

describe('init', () => {
  it('fills a template with settings the shop accepts, leaving the explanations', () => {
    const settings = freshSettings({ adminEmail: 'owner@example.com', publicUrl: 'https://shop.example.com' });
    const text = fillEnvTemplate(envExample, settings);
    expect(text).toContain('# Required: derives panel usernames');
    const env = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
    expect(env['SHOP_SECRET']).toBe(settings['SHOP_SECRET']);
    // As the compose file runs it: the URL names no password, PGPASSWORD (the same one PostgreSQL is created with) does.
    expect(env['PGPASSWORD']).toBe(env['POSTGRES_PASSWORD']);
    const config = loadConfig({ ...env, DATABASE_URL: 'postgres://shop@postgres:5432/shop' });
    expect(config.database).toMatchObject({ kind: 'postgres', password: env['POSTGRES_PASSWORD'] });
    expect(config.admin?.email).toBe('owner@example.com');
    expect(config.secretKeys?.[0]?.id).toBe('k1');
    expect(config.publicUrl).toBe('https://shop.example.com');
    // What `init` was not given stays commented out: absent to compose, never an empty line.
    const unfilled = fillEnvTemplate(envExample, freshSettings({ adminEmail: 'owner@example.com', publicUrl: null, image: null }));
    expect(unfilled).not.toMatch(/^(SHOP_IMAGE|PUBLIC_URL)=/m);
    expect(unfilled).toMatch(/^# SHOP_IMAGE=$/m);
    expect(unfilled).toMatch(/^# PUBLIC_URL=$/m);
    expect(unfilled.match(/^[A-Z][A-Z0-9_]*=\s*$/gm)).toBeNull();
    // Fresh each time.
    expect(freshSettings({ adminEmail: 'a@b.co', publicUrl: null })['SHOP_SECRET']).not.toBe(settings['SHOP_SECRET']);
  });

  it('writes a new .env and refuses to overwrite one that exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-init-'));
    const target = join(dir, '.env');
    const run = () =>
      spawnSync(
        process.execPath,
        [
          '--conditions=@panelkit/source',
          '--import',
          'tsx',
          join(import.meta.dirname, '../src/cli.ts'),
          'init',
          '--email',
          'owner@example.com',
          '--image',
          'localhost/panelkit-shop:0.2.0',
          target,
        ],
        { encoding: 'utf8', cwd: join(import.meta.dirname, '..') },
      );
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    const written = readFileSync(target, 'utf8');
    expect(written).toMatch(/^SHOP_SECRET_KEYS=k1:/m);
    expect(written).toMatch(/^SHOP_IMAGE=localhost\/panelkit-shop:0\.2\.0$/m);
    // Every required setting is written once, filled: no `NAME=` line is left empty.
    expect(written.match(/^[A-Z][A-Z0-9_]*=$/gm)).toBeNull();
    expect(first.stdout).toContain('owner@example.com / ');
    writeFileSync(target, 'SHOP_SECRET=mine\n');
    const second = run();
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('exists');
    expect(readFileSync(target, 'utf8')).toBe('SHOP_SECRET=mine\n');
    expect(execFileSync('stat', ['-c', '%a', target], { encoding: 'utf8' }).trim()).toMatch(/^6/);
  });
});
