import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createSecretBox, parseSecretKeys, generateSecretKey } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../src/app/backup/export.js';
import { BackupError } from '../src/app/backup/format.js';
import { restoreBackup, type RestoreTarget } from '../src/app/backup/restore.js';
import { backupShop } from '../src/app/backup/shop-backup.js';
import type { OpenDatabase } from '../src/stack/database.js';
import { everyRow, tempFolder } from './support/backup-helpers.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { memoryDatabase, signedUpBuyer, startShop, TEST_SECRET_KEYS, TEST_START, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
let file: string;
const SCHEMA = 'panelkit';

/** A fresh in-memory PGlite to restore into, with the test keys (or `keys`). */
async function freshTarget(keys = TEST_SECRET_KEYS): Promise<{ db: OpenDatabase; target: RestoreTarget }> {
  const db = await memoryDatabase();
  return {
    db,
    target: {
      db: db.client,
      engineSchema: SCHEMA,
      shopSchema: `${SCHEMA}_shop`,
      secretBox: createSecretBox(parseSecretKeys(keys)),
      clock: new ManualClock(TEST_START),
      shopSecret: null,
    },
  };
}

/** The backup's lines, uncompressed. */
const linesOf = (path: string) => gunzipSync(readFileSync(path)).toString('utf8').split('\n');
/** Writes `lines` as a backup file again (gzip'd). */
function rewrite(lines: string[], name: string): string {
  const path = join(tempFolder('bad'), name);
  writeFileSync(path, gzipSync(lines.join('\n')));
  return path;
}

beforeAll(async () => {
  t = await startShop({ env: { SHOP_SECRET_KEYS: TEST_SECRET_KEYS } });
  const plan = await planNamed(t, 'Frankfurt · 1 month');
  const buyer = await signedUpBuyer(t.app);
  await fund(t, buyer.email, plan.price.amount * 3);
  await boughtAndProvisioned(t, buyer, plan.id);
  file = join(tempFolder('backup'), 'shop.ndjson.gz');
  await backupShop(t.shop, createWriteStream(file));
});
afterAll(() => t.close());

describe('a backup of the whole shop', () => {
  it('restores onto an empty database with every row of both schemas equal', async () => {
    const { db, target } = await freshTarget();
    const result = await restoreBackup(file, target);
    expect(result.shopSecret).toBe(t.shop.secret);
    expect(await everyRow(db.client, SCHEMA)).toEqual(await everyRow(t.shop.db, SCHEMA));
    const counts = result.trailer.tables.filter((x) => x.rows > 0).map((x) => `${x.schema}.${x.name}`);
    expect(counts).toEqual(
      expect.arrayContaining(['engine.customers', 'engine.ledger_entries', 'engine.subscriptions', 'engine.panels', 'shop.accounts']),
    );
    await db.close();
  });

  it('keeps panel secrets sealed: no password of a panel appears in the file', async () => {
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    const panels = await t.shop.storage.panels.list();
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      const secret = panel.credentials.type === 'password' ? panel.credentials.password : panel.credentials.token;
      expect(secret).toBeTruthy();
      expect(text).not.toContain(secret as string);
    }
    expect(text).not.toContain(t.shop.secret);
    expect(text).toMatch(/"sealed": ?"pk1\.t1\./);
    const trailer = JSON.parse(
      linesOf(file)
        .filter((l) => l !== '')
        .at(-1)!,
    ) as { keyIds: string[] };
    expect(trailer.keyIds).toEqual(['t1']);
  });

  it('refuses without the key that sealed it, naming the key, and writes nothing', async () => {
    const other = `other:${Buffer.from(generateSecretKey('other').key).toString('base64')}`;
    const { db, target } = await freshTarget(other);
    const error = await restoreBackup(file, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).reason).toBe('missing_key');
    expect((error as Error).message).toContain('"t1"');
    const { rows } = await db.client.query<{ t: string | null }>(`SELECT to_regclass('panelkit.customers')::text AS t`);
    expect(rows[0]?.t ?? null).toBeNull();
    await db.close();
  });

  it.each([
    ['a changed row', (lines: string[]) => lines.map((l) => l.replace('"USD"', '"EUR"')), 'corrupt'],
    ['a row taken out', (lines: string[]) => lines.filter((l, i) => !(i > 2 && l.startsWith('{"id":"led_'))), 'corrupt'],
    ['its last line cut off', (lines: string[]) => lines.slice(0, -2), 'corrupt'],
    ['another format version', (lines: string[]) => [lines[0]!.replace('"version":1', '"version":99'), ...lines.slice(1)], 'version'],
    ['another file', () => ['{"hello":"world"}'], 'not_a_backup'],
  ])('refuses a file with %s', async (_name, change, reason) => {
    const bad = rewrite(change(linesOf(file)), 'bad.ndjson.gz');
    const { db, target } = await freshTarget();
    await expect(restoreBackup(bad, target)).rejects.toMatchObject({ reason });
    await db.close();
  });

  it('refuses a file that is not gzip at all', async () => {
    const bad = join(tempFolder('bad'), 'plain.txt');
    writeFileSync(bad, 'not a backup');
    const { db, target } = await freshTarget();
    await expect(restoreBackup(bad, target)).rejects.toBeInstanceOf(BackupError);
    await db.close();
  });

  it('refuses a database that already holds a shop, and a machine with another shop secret', async () => {
    const { db, target } = await freshTarget();
    await restoreBackup(file, target);
    await expect(restoreBackup(file, target)).rejects.toMatchObject({ reason: 'not_empty' });
    await db.close();
    const second = await freshTarget();
    await expect(restoreBackup(file, { ...second.target, shopSecret: 'a-different-secret-a-different-secret' })).rejects.toMatchObject({
      reason: 'secret_mismatch',
    });
    await second.db.close();
  });

  it('is one consistent snapshot even while the shop writes', async () => {
    const path = join(tempFolder('snapshot'), 'during-writes.ndjson.gz');
    const buyer = await signedUpBuyer(t.app);
    const writing = (async () => {
      for (let i = 0; i < 30; i++) await fund(t, buyer.email, 100);
    })();
    await writeBackup(
      {
        db: t.shop.db,
        engineSchema: SCHEMA,
        shopSchema: `${SCHEMA}_shop`,
        secretBox: t.shop.secretBox,
        shopSecret: t.shop.secret,
        now: t.clock.now(),
      },
      createWriteStream(path),
    );
    await writing;
    const { db, target } = await freshTarget();
    await restoreBackup(path, target);
    // Each balance restored is the sum of the entries restored: no top-up is in one table and not the other.
    const { rows } = await db.client.query<{ customer_id: string; balance: string; entries: string }>(
      `SELECT b.customer_id, b.amount::text AS balance, coalesce(sum(l.amount), 0)::text AS entries
         FROM panelkit.ledger_balances b LEFT JOIN panelkit.ledger_entries l ON l.customer_id = b.customer_id AND l.currency = b.currency
        GROUP BY b.customer_id, b.amount`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.balance).toBe(row.entries);
    await db.close();
  });
});
