import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { applyPanelsFile, PanelsFileError } from '../src/app/panels/panels-file.js';
import { startExtraPanel, type ExtraPanel } from './support/admin-support.js';
import { startShop, type ShopUnderTest } from './support/shop-under-test.js';

const dir = mkdtempSync(join(tmpdir(), 'panels-file-'));
const logger = pino({ level: 'silent' });
let n = 0;

function fileWith(content: unknown): string {
  const path = join(dir, `panels-${++n}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

let t: ShopUnderTest;
let extra: ExtraPanel;

beforeAll(async () => {
  t = await startShop();
  extra = await startExtraPanel(t.clock);
});
afterAll(async () => {
  await extra.close();
  await t.close();
});

const entry = (over: Record<string, unknown> = {}) => ({
  kind: '3x-ui',
  name: 'From file',
  baseUrl: extra.url,
  credentials: { type: 'password', ...extra.login },
  locationTags: ['fi'],
  options: { linkHost: 'fi.example.com' },
  ...over,
});

describe('PANELS_FILE', () => {
  it('is applied when the shop opens: the panel is stored and usable', async () => {
    const file = fileWith([entry({ name: 'Opened with the shop' })]);
    const shop = await startShop({ env: { PANELS_FILE: file } });
    try {
      const panel = (await shop.shop.storage.panels.list()).find((p) => p.name === 'Opened with the shop');
      expect(panel).toMatchObject({
        kind: '3x-ui',
        baseUrl: extra.url,
        enabled: true,
        locationTags: ['fi'],
        options: { linkHost: 'fi.example.com' },
      });
      const [health] = await shop.shop.kit.checkPanelHealth(panel!.id);
      expect(health?.health.status).toBe('healthy');
    } finally {
      await shop.close();
    }
  });

  it('adds new names, updates known ones, and leaves unchanged ones unwritten', async () => {
    const first = await applyPanelsFile(
      t.shop,
      fileWith([entry(), entry({ name: 'Token panel', credentials: { type: 'token', token: 'tok-1' }, enabled: false })]),
      logger,
    );
    expect(first).toEqual({ created: ['From file', 'Token panel'], updated: [], unchanged: [] });
    const stored = (await t.shop.storage.panels.list()).find((p) => p.name === 'From file')!;

    const second = await applyPanelsFile(
      t.shop,
      fileWith([entry(), entry({ name: 'Token panel', credentials: { type: 'token', token: 'tok-2' } })]),
      logger,
    );
    expect(second).toEqual({ created: [], updated: ['Token panel'], unchanged: ['From file'] });
    expect((await t.shop.storage.panels.get(stored.id))?.updatedAt).toEqual(stored.updatedAt);
    const token = (await t.shop.storage.panels.list()).find((p) => p.name === 'Token panel')!;
    expect(token).toMatchObject({ credentials: { type: 'token', token: 'tok-2' }, enabled: false });

    // Written by the kit's panel writer: audited as the admin pages audit, under the file's name.
    const audit = (await t.shop.storage.audit.list({ subjectType: 'panel', subjectId: token.id }, { limit: 10 })).items;
    expect(audit.map((e) => [e.action, e.actor, e.data]).sort()).toEqual(
      [
        ['panel.created', { type: 'system', id: 'panels_file' }, { name: 'Token panel', kind: '3x-ui' }],
        [
          'panel.updated',
          { type: 'system', id: 'panels_file' },
          { name: 'Token panel', kind: '3x-ui', changed: ['credentials'], credentialsChanged: true },
        ],
      ].sort(),
    );
  });

  it('lists every problem at once, never a secret, and writes nothing', async () => {
    const before = await t.shop.storage.panels.list();
    const bad = fileWith([
      entry({ name: 'Bad 1', kind: 'wireguard' }),
      entry({ name: 'Bad 2', baseUrl: 'https://root:hunter2-secret@panel.example.com/' }),
      entry({ name: 'Bad 3', kind: 's-ui', credentials: { type: 'password', username: 'u', password: 'hunter2-secret' } }),
      entry({ name: 'Bad 4', locationTags: ['Not A Tag'] }),
      entry({ name: 'Bad 4' }),
      { ...entry({ name: 'Bad 5' }), surprise: true },
    ]);
    const error = await applyPanelsFile(t.shop, bad, logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PanelsFileError);
    const problems = (error as PanelsFileError).problems;
    expect(problems.length).toBeGreaterThanOrEqual(6);
    const text = (error as Error).message;
    for (const where of ['[0].kind', '[1].baseUrl', '[2].credentials', '[3].locationTags', '[4].name', '[5]'])
      expect(text).toContain(where);
    expect(text).toContain('Put the login in the credential fields');
    expect(text).not.toContain('hunter2-secret');
    expect(await t.shop.storage.panels.list()).toEqual(before);

    for (const content of ['{not json', '{"panels": []}']) {
      await expect(applyPanelsFile(t.shop, fileWith(content), logger)).rejects.toBeInstanceOf(PanelsFileError);
    }
    await expect(applyPanelsFile(t.shop, join(dir, 'missing.json'), logger)).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });

  it("converges when another process adds the panel between this one's read and its write: the winner's panel is taken as found", async () => {
    type NewPanelInput = Parameters<ShopUnderTest['shop']['kit']['panels']['add']>[0];
    // The kit of a process that loses the race: just before its add, "another process" adds the panel its own way.
    const losing = (winner: (input: NewPanelInput) => NewPanelInput) => ({
      storage: t.shop.storage,
      kit: {
        panels: {
          ...t.shop.kit.panels,
          add: async (input: NewPanelInput, actor?: Parameters<ShopUnderTest['shop']['kit']['panels']['add']>[1]) => {
            await t.shop.kit.panels.add(winner(input), { type: 'system', id: 'panels_file' });
            return t.shop.kit.panels.add(input, actor);
          },
        },
      },
    });
    const named = async (name: string) => (await t.shop.storage.panels.list()).filter((p) => p.name === name);

    const same = await applyPanelsFile(
      losing((input) => input),
      fileWith([entry({ name: 'Raced same' })]),
      logger,
    );
    expect(same).toEqual({ created: [], updated: [], unchanged: ['Raced same'] });
    expect(await named('Raced same')).toHaveLength(1);

    // The winner stored other settings (another file): this process's file wins the settings, on the one panel.
    const other = await applyPanelsFile(
      losing((input) => ({ ...input, locationTags: ['nl'] })),
      fileWith([entry({ name: 'Raced other', locationTags: ['de'] })]),
      logger,
    );
    expect(other).toEqual({ created: [], updated: ['Raced other'], unchanged: [] });
    const [raced] = await named('Raced other');
    expect(raced?.locationTags).toEqual(['de']);
    expect(await named('Raced other')).toHaveLength(1);

    // Stored by the winner as another kind: refused as a changed kind is, nothing written.
    await expect(
      applyPanelsFile(
        losing((input) => ({ ...input, kind: 'marzban' })),
        fileWith([entry({ name: 'Raced kind' })]),
        logger,
      ),
    ).rejects.toThrow(/"Raced kind": stored as a marzban panel/);
    expect((await named('Raced kind')).map((p) => p.kind)).toEqual(['marzban']);
  });

  it("refuses to change a stored panel's kind, and opening the shop fails with the list", async () => {
    await applyPanelsFile(t.shop, fileWith([entry({ name: 'Kind fixed' })]), logger);
    const change = fileWith([entry({ name: 'Kind fixed', kind: 'marzban' })]);
    await expect(applyPanelsFile(t.shop, change, logger)).rejects.toThrow(/"Kind fixed": stored as a 3x-ui panel/);
    await expect(startShop({ env: { PANELS_FILE: fileWith([entry({ kind: 'nope' })]) } })).rejects.toThrow(
      /PANELS_FILE .* is not valid:\n {2}- \[0\]\.kind/,
    );
  });
});
