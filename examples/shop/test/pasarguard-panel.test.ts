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
import { applyPanelsFile, PanelsFileError } from '../src/app/panels/panels-file.js';
import { assertPanelKindsKnown } from '../src/app/panels/panel-adapters.js';
import { startShop, type ShopUnderTest } from './support/shop-under-test.js';

const dir = mkdtempSync(join(tmpdir(), 'pasarguard-panel-'));
const PASSWORD = 'pasarguard-shop-test-password';
const API_KEY = 'pg_key_6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
let t: ShopUnderTest;
let server: RunningSimulator;

beforeAll(async () => {
  t = await startShop();
  server = await serveOnLocalhost(
    createPasarGuardSimulator({ clock: t.clock, adminUsername: 'owner', adminPassword: PASSWORD, apiKeys: [API_KEY] }).handle,
  );
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
    await applyPanelsFile(t.shop, file, pino({ level: 'silent' }));
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

  it('takes an API key as its token in PANELS_FILE, and an unusable credential is a PanelsFileError', async () => {
    const apiKey = API_KEY;
    const file = fileWith([{ kind: 'pasarguard', name: 'PG key', baseUrl: server.origin, credentials: { type: 'token', token: apiKey } }]);
    await applyPanelsFile(t.shop, file, pino({ level: 'silent' }));
    const panel = (await t.shop.storage.panels.list()).find((p) => p.name === 'PG key')!;
    const [health] = await t.shop.kit.checkPanelHealth(panel.id);
    expect(health?.health.status).toBe('healthy');
    const bad = fileWith([{ kind: 'pasarguard', name: 'PG bad', baseUrl: 'not a url', credentials: { type: 'token', token: apiKey } }]);
    const error = await applyPanelsFile(t.shop, bad, pino({ level: 'silent' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PanelsFileError);
    expect((error as Error).message).toContain('[0].baseUrl');
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
