import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSecretBox, parseSecretKeys } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { fromPgPool } from '@panelkit/storage-postgres';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup } from '../src/app/backup/restore.js';
import { queueScheduledBackup } from '../src/app/backup/scheduled.js';
import { backupShop } from '../src/app/backup/shop-backup.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { everyRow, tempFolder } from './support/backup-helpers.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { memoryDatabase, signedUpBuyer, startShop, TEST_SECRET_KEYS, TEST_START, type ShopUnderTest } from './support/shop-under-test.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/** Backups between the embedded database and a PostgreSQL server, both ways, and scheduled backups with two replicas. */
describe.skipIf(DATABASE_URL === undefined)(
  `backups on PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const schema = `backup_it_${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    const box = createSecretBox(parseSecretKeys(TEST_SECRET_KEYS));
    const clock = new ManualClock(TEST_START);
    let embedded: ShopUnderTest;
    let fromEmbedded: string;

    beforeAll(async () => {
      embedded = await startShop({ env: { SHOP_SECRET_KEYS: TEST_SECRET_KEYS } });
      const plan = await planNamed(embedded, 'Frankfurt · 1 month');
      const buyer = await signedUpBuyer(embedded.app);
      await fund(embedded, buyer.email, plan.price.amount * 2);
      await boughtAndProvisioned(embedded, buyer, plan.id);
      fromEmbedded = join(tempFolder('pg-backup'), 'embedded.ndjson.gz');
      await backupShop(embedded.shop, createWriteStream(fromEmbedded));
    });

    afterAll(async () => {
      await embedded?.close();
      for (const s of [schema, `${schema}_shop`, `${schema}_r`, `${schema}_r_shop`])
        await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await pool.end();
    });

    it('restores an embedded shop onto PostgreSQL, and that one back onto PGlite, every row equal', async () => {
      const server = fromPgPool(pool);
      await restoreBackup(fromEmbedded, {
        db: server,
        engineSchema: schema,
        shopSchema: `${schema}_shop`,
        secretBox: box,
        clock,
        shopSecret: null,
      });
      const original = await everyRow(embedded.shop.db, 'panelkit');
      expect(await everyRow(server, schema)).toEqual(original);

      // The server's tables, backed up and restored into PGlite again.
      const shopOnServer = await openShop(
        loadConfig({
          DATABASE_URL: DATABASE_URL as string,
          DATABASE_SCHEMA: schema,
          SHOP_SECRET: embedded.shop.secret,
          SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
          LOG_LEVEL: 'silent',
        }),
        { clock, logger: pino({ level: 'silent' }) },
      );
      const fromServer = join(tempFolder('pg-backup'), 'server.ndjson.gz');
      await backupShop(shopOnServer, createWriteStream(fromServer));
      await shopOnServer.close();
      const back = await memoryDatabase();
      await restoreBackup(fromServer, {
        db: back.client,
        engineSchema: 'panelkit',
        shopSchema: 'panelkit_shop',
        secretBox: box,
        clock,
        shopSecret: embedded.shop.secret,
      });
      expect(await everyRow(back.client, 'panelkit')).toEqual(original);
      await back.close();
    });

    it('writes one scheduled backup per slot with two replicas asking at once', async () => {
      const dir = tempFolder('scheduled');
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: `${schema}_r`,
        SHOP_SECRET: embedded.shop.secret,
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        LOG_LEVEL: 'silent',
        BACKUP_DIR: dir,
        BACKUP_EVERY_HOURS: '6',
        BACKUP_KEEP: '2',
      };
      const replicas: RunningShop[] = await Promise.all(
        [1, 2].map(() => openShop(loadConfig(env), { clock, logger: pino({ level: 'silent' }) })),
      );
      try {
        const workers = replicas.map((r) => r.kit.createWorker({ hostJobs: r.hostJobs, engineJobs: false }));
        const ask = async () => {
          const queued = await Promise.all(replicas.map((r) => queueScheduledBackup(r)));
          const ran = await Promise.all(workers.map((w) => w.drain()));
          return { queued: queued.filter(Boolean).length, ran: ran.reduce((a, b) => a + b, 0) };
        };
        expect(await ask()).toEqual({ queued: 1, ran: 1 });
        expect(readdirSync(dir)).toHaveLength(1);
        // The same slot again: nothing; the next slots: one file each, the folder keeping the last two.
        expect(await ask()).toEqual({ queued: 0, ran: 0 });
        for (let slot = 1; slot <= 3; slot++) {
          clock.advance(6 * 3_600_000);
          expect(await ask()).toEqual({ queued: 1, ran: 1 });
        }
        const files = readdirSync(dir).sort();
        expect(files).toHaveLength(2);
        expect(files.every((f) => /^panelkit-backup-\d{8}T\d{6}Z\.ndjson\.gz$/.test(f))).toBe(true);
      } finally {
        for (const r of replicas) await r.close();
      }
    });
  },
);
