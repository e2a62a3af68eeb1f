import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../src/config/config.js';
import { fillEnvTemplate, freshSettings } from '../src/stack/env-file.js';

const root = join(import.meta.dirname, '../../..');
const envExample = readFileSync(join(root, 'deploy/.env.example'), 'utf8');
const compose = readFileSync(join(root, 'deploy/compose.yaml'), 'utf8');
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

  it('lists every variable the compose file reads', () => {
    const used = [...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string);
    expect(used.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('hands the shop every setting through the compose file', () => {
    const passed = new Set([...compose.matchAll(/^ {4}- ([A-Z][A-Z0-9_]*)(=|$)/gm)].map((m) => m[1]));
    // The demo's core and panel kind only matter with DEMO_PANEL, which the compose file sets off.
    const demoOnly = new Set(['DEMO_CORE', 'DEMO_PANEL_KIND']);
    expect(SETTING_NAMES.filter((name) => !passed.has(name) && !demoOnly.has(name))).toEqual([]);
  });
});

describe('init', () => {
  it('fills a template with settings the shop accepts, leaving the explanations', () => {
    const settings = freshSettings({ adminEmail: 'owner@example.com', publicUrl: 'https://shop.example.com' });
    const text = fillEnvTemplate(envExample, settings);
    expect(text).toContain('# Derives panel usernames');
    const env = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
    expect(env['SHOP_SECRET']).toBe(settings['SHOP_SECRET']);
    const config = loadConfig({ ...env, DATABASE_URL: `postgres://shop:${env['POSTGRES_PASSWORD']}@postgres:5432/shop` });
    expect(config.admin?.email).toBe('owner@example.com');
    expect(config.secretKeys?.[0]?.id).toBe('k1');
    expect(config.publicUrl).toBe('https://shop.example.com');
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
          target,
        ],
        { encoding: 'utf8', cwd: join(import.meta.dirname, '..') },
      );
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    const written = readFileSync(target, 'utf8');
    expect(written).toMatch(/^SHOP_SECRET_KEYS=k1:/m);
    expect(first.stdout).toContain('owner@example.com / ');
    writeFileSync(target, 'SHOP_SECRET=mine\n');
    const second = run();
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('exists');
    expect(readFileSync(target, 'utf8')).toBe('SHOP_SECRET=mine\n');
    expect(execFileSync('stat', ['-c', '%a', target], { encoding: 'utf8' }).trim()).toMatch(/^6/);
  });
});
