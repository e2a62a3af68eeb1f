import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecretBox, parseSecretKeys } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAUTH_WINDOW_MS } from '../src/http/staff-security.js';
import { restoreBackup } from '../src/app/backup/restore.js';
import { tempFolder } from './support/backup-helpers.js';
import {
  ADMIN,
  csrfFrom,
  memoryDatabase,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  TEST_SECRET_KEYS,
  TEST_START,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';

let t: ShopUnderTest;
let owner: Visitor;

/** Supertest collects a gzip download as a Buffer. */
const binary = (res: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  t = await startShop({ env: { SHOP_SECRET_KEYS: TEST_SECRET_KEYS, BACKUP_DIR: tempFolder('route-dir') } });
  owner = await signedInAdmin(t.app);
});
afterAll(() => t.close());

describe('the owner downloads a backup', () => {
  it('asks for the password again first, then sends the whole database as a file that restores', async () => {
    // Signing in counts as a recent authentication; a while later it no longer does.
    t.clock.advance(REAUTH_WINDOW_MS + 1000);
    await owner.agent.get('/admin/backup').expect(303).expect('location', '/account/reauth?next=%2Fadmin%2Fbackup');
    await owner.agent.post('/admin/backup').type('form').send({ _csrf: owner.csrf }).expect(403);
    await owner.agent
      .post('/account/reauth')
      .type('form')
      .send({ _csrf: owner.csrf, password: ADMIN.password, next: '/admin/backup' })
      .expect(303);
    const page = await owner.agent.get('/admin/backup').expect(200);
    expect(page.text).toContain('data-testid="backup-keys">t1<');
    expect(page.text).toContain('Every 24 hours, keeping the last 7');
    const res = await owner.agent
      .post('/admin/backup')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .buffer(true)
      .parse(binary as unknown as Parameters<ReturnType<typeof owner.agent.post>['parse']>[0])
      .expect(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="panelkit-backup-20260301T\d{6}Z\.ndjson\.gz"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const file = join(tempFolder('download'), 'downloaded.ndjson.gz');
    writeFileSync(file, res.body as Buffer);
    const db = await memoryDatabase();
    const restored = await restoreBackup(file, {
      db: db.client,
      engineSchema: 'panelkit',
      shopSchema: 'panelkit_shop',
      secretBox: createSecretBox(parseSecretKeys(TEST_SECRET_KEYS)),
      clock: new ManualClock(TEST_START),
      shopSecret: null,
    });
    expect(restored.rows).toBeGreaterThan(0);
    await db.close();
    const audit = await t.shop.storage.audit.list({ subjectType: 'shop' }, { limit: 10 });
    expect(audit.items.map((e) => e.action)).toContain('backup.exported');
  });

  it('refuses support staff and buyers', async () => {
    const staff = await signedUpBuyer(t.app);
    await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(staff.email))!.id, 'support');
    const buyer = await signedUpBuyer(t.app);
    for (const v of [staff, buyer]) {
      await v.agent.get('/admin/backup').expect(403);
      await v.agent.post('/admin/backup').type('form').send({ _csrf: v.csrf }).expect(403);
    }
  });
});
