/**
 * A PasarGuard panel in the shop: declared in PANELS_FILE, built through `createPanelAdapter`,
 * healthy, its groups synced as targets; and a stored panel whose kind has no adapter stops the
 * shop at start with a typed error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnknownPanelKindError } from '@panelkit/panel-adapters';
import { createPasarGuardSimulator, serveOnLocalhost, type RunningSimulator } from '@panelkit/panel-adapters/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPanelsFile, PanelsFileError } from '../src/panels/panels-file.js';
import { assertPanelKindsKnown } from '../src/stack/panel-adapters.js';
import { startShop, type ShopUnderTest } from './support/shop-under-test.js';

const dir = mkdtempSync(join(tmpdir(), 'pasarguard-panel-'));
const PASSWORD = 'pasarguard-shop-test-password';
let t: ShopUnderTest;
let server: RunningSimulator;

beforeAll(async () => {
  t = await startShop();
  server = await serveOnLocalhost(createPasarGuardSimulator({ clock: t.clock, adminUsername: 'owner', adminPassword: PASSWORD }).handle);
});
afterAll(async () => {
  await server.close();
  await t.close();
});

function fileWith(content: unknown): string {
  const path = join(dir, `panels-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('a PasarGuard panel in the shop', () => {
  it('comes from PANELS_FILE, is healthy and offers its groups as targets', async () => {
    const file = fileWith([
      {
        kind: 'pasarguard',
        name: 'PasarGuard',
        baseUrl: server.origin,
        credentials: { type: 'password', username: 'owner', password: PASSWORD },
      },
    ]);
    await applyPanelsFile(t.shop.storage, file, pino({ level: 'silent' }));
    const panel = (await t.shop.storage.panels.list()).find((p) => p.name === 'PasarGuard')!;
    expect(panel.kind).toBe('pasarguard');
    const [health] = await t.shop.kit.checkPanelHealth(panel.id);
    expect(health?.health).toMatchObject({ status: 'healthy', version: '5.2.1' });
    const targets = await t.shop.kit.targets.sync(panel.id, {
      capacity: 100,
      actor: { type: 'system', id: 'test' },
      signal: AbortSignal.timeout(10_000),
    });
    expect(targets.added.map((target) => target.name).sort()).toEqual(['All inbounds', 'Reality']);
  });

  it('needs a username and password in PANELS_FILE', async () => {
    const file = fileWith([
      { kind: 'pasarguard', name: 'PG token', baseUrl: server.origin, credentials: { type: 'token', token: 'pg_key_0123456789' } },
    ]);
    const error = await applyPanelsFile(t.shop.storage, file, pino({ level: 'silent' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PanelsFileError);
    expect((error as Error).message).toContain('[0].credentials');
  });

  it('a stored panel whose kind has no adapter is an UnknownPanelKindError when the shop starts', async () => {
    await t.shop.storage.panels.create({
      kind: 'acme',
      name: 'Unknown kind',
      baseUrl: 'https://acme.example.com/',
      credentials: { type: 'password', username: 'a', password: 'b' },
    });
    const error = await assertPanelKindsKnown(t.shop.storage).catch((e: unknown) => e);
    expect(UnknownPanelKindError.is(error)).toBe(true);
    expect((error as UnknownPanelKindError).kind).toBe('acme');
  });
});
