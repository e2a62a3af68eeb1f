/**
 * ADMIN_EMAIL/ADMIN_PASSWORD make the shop's first owner only while the shop has no owner, once, and never touch an
 * account (issues 55 and 61): the owner changes the password or the e-mail in the shop and the next start, with the
 * same settings, opens nothing for the old ones and makes no second owner; processes making the owner at the same
 * moment on PostgreSQL make one, and none fails. A shop whose owners were all removed in the database (the shop
 * itself never demotes or deletes an owner) gets one from the settings again, unless their address is taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { customerFor, ensureFirstOwner, type FirstOwnerResult } from '../src/app/auth/accounts.js';
import { hashPassword, verifyPassword } from '../src/app/auth/password.js';
import { loadConfig } from '../src/config/config.js';
import { ensureStartupAdmin } from '../src/stack/admin-account.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { createApp } from '../src/stack/web-app.js';
import { tempFolder } from './support/backup-helpers.js';
import { seedMigratedDatabase } from './support/migrated-data-folder.js';
import { ADMIN, startShop, TEST_PASSWORD_COST, TEST_SECRET_KEYS, visitor } from './support/shop-under-test.js';
import { dropShopSchemas } from './support/web-replicas.js';

const OWNER = 'owner@example.com';
const FIRST_PASSWORD = 'first-owner-password-1';
const CHANGED_PASSWORD = 'changed-by-the-owner-2';
const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

describe('the first owner across a restart with the same settings', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** What `.env` holds, read again by each start of one shop (its own data folder). */
  function settings() {
    const dataDir = mkdtempSync(join(tmpdir(), 'panelkit-owner-'));
    dirs.push(dataDir);
    return {
      DATA_DIR: dataDir,
      DEMO_PANEL: 'off',
      ADMIN_EMAIL: 'Owner@Example.com',
      ADMIN_PASSWORD: FIRST_PASSWORD,
      STAFF_TOTP: 'optional',
      LOG_LEVEL: 'silent',
    };
  }

  /** One start as `npm start` makes it: the shop opened on the data folder, the startup admin, the web app. */
  async function start(env: Record<string, string>) {
    const config = loadConfig(env);
    const shop = await openShop(config, { logger: pino({ level: 'silent' }), passwordCost: TEST_PASSWORD_COST });
    await ensureStartupAdmin(shop, config.dataDir);
    return { shop, app: createApp(shop) };
  }

  async function signIn(app: ReturnType<typeof createApp>, email: string, password: string) {
    const v = await visitor(app);
    const res = await v.agent.post('/signin').type('form').send({ _csrf: v.csrf, email, password });
    return { status: res.status, v };
  }

  /**
   * Starts the shop on `env`, signs the owner in with the settings' password, posts `form` to `path` as them, and starts
   * the shop again with the same settings; `check` gets the second start and the owner's account id, as stored under
   * `emailAfter`.
   */
  async function ownerChangesThenRestart(
    path: string,
    form: Record<string, string>,
    emailAfter: string,
    check: (second: Awaited<ReturnType<typeof start>>, accountId: string) => Promise<void>,
  ): Promise<void> {
    const env = settings();
    // The database is there, migrated and empty (a shop without an owner yet): the migrations are not what these test.
    await seedMigratedDatabase(env.DATA_DIR);
    const first = await start(env);
    let accountId: string;
    try {
      const owner = await signIn(first.app, OWNER, FIRST_PASSWORD);
      expect(owner.status).toBe(303);
      await owner.v.agent
        .post(path)
        .type('form')
        .send({ _csrf: owner.v.csrf, ...form })
        .expect(303);
      accountId = (await first.shop.accounts.getByEmail(emailAfter))!.id;
    } finally {
      await first.shop.close();
    }
    const second = await start(env);
    try {
      await check(second, accountId);
    } finally {
      await second.shop.close();
    }
  }

  // Each opens a file-backed PGlite twice: a generous limit, as a hang guard only.
  it('keeps the password the owner chose: the new one signs in, the one in the settings is refused', { timeout: 120_000 }, () =>
    ownerChangesThenRestart(
      '/account/password',
      { current: FIRST_PASSWORD, password: CHANGED_PASSWORD },
      OWNER,
      async (second, accountId) => {
        expect((await signIn(second.app, OWNER, FIRST_PASSWORD)).status).toBe(401);
        expect((await signIn(second.app, OWNER, CHANGED_PASSWORD)).status).toBe(303);
        const account = await second.shop.accounts.getByEmail(OWNER);
        expect(account).toMatchObject({ id: accountId, role: 'admin' });
        expect(await verifyPassword(FIRST_PASSWORD, account!.passwordHash)).toBe(false);
      },
    ),
  );

  const moved = 'the-owner-moved@example.net';
  it(
    'keeps the e-mail the owner chose: the address and password in the settings open nothing, the new address does',
    {
      timeout: 120_000,
    },
    () =>
      ownerChangesThenRestart('/account/email', { email: moved, password: FIRST_PASSWORD }, moved, async (second, accountId) => {
        expect((await signIn(second.app, OWNER, FIRST_PASSWORD)).status).toBe(401);
        expect(await second.shop.accounts.getByEmail(OWNER)).toBeNull();
        expect((await signIn(second.app, moved, FIRST_PASSWORD)).status).toBe(303);
        const staff = await second.shop.accounts.listStaff();
        expect(staff.map((a) => [a.id, a.email, a.role])).toEqual([[accountId, moved, 'admin']]);
      }),
  );
});

describe('the first owner when the shop has one, or had one', () => {
  it('makes nothing while any owner exists, whatever the address in the settings', async () => {
    const t = await startShop(); // its owner is ADMIN
    try {
      expect(await ensureFirstOwner(t.shop, 'someone-else@example.com', 'another-password-22')).toEqual({
        made: false,
        reason: 'owner_exists',
      });
      expect(await t.shop.accounts.getByEmail('someone-else@example.com')).toBeNull();
      expect(await t.shop.storage.customers.getByEmail('someone-else@example.com')).toBeNull();
      expect(await t.shop.accounts.ownerEmails()).toEqual([ADMIN.email]);
    } finally {
      await t.close();
    }
  });

  it('leaves an existing account as it is: no new password, no new role, even with no owner left', async () => {
    const t = await startShop();
    try {
      // The owner's role removed in the database: the shop has no owner now.
      const former = (await t.shop.accounts.getByEmail(ADMIN.email))!;
      await t.shop.accounts.setRole(former.id, 'support');
      const result = await ensureFirstOwner(t.shop, ADMIN.email, 'another-password-22');
      expect(result).toMatchObject({ made: false, reason: 'email_taken', account: { id: former.id, role: 'support' } });
      const again = (await t.shop.accounts.getByEmail(ADMIN.email))!;
      expect(again.role).toBe('support');
      expect(await verifyPassword(ADMIN.password, again.passwordHash)).toBe(true);
      expect(await t.shop.accounts.ownerEmails()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('makes an owner again from the settings once the shop has none, with an unused address', async () => {
    const t = await startShop();
    try {
      const former = (await t.shop.accounts.getByEmail(ADMIN.email))!;
      await t.shop.accounts.setRole(former.id, 'buyer');
      const result = await ensureFirstOwner(t.shop, 'new-owner@example.com', 'new-owner-password-3');
      expect(result).toMatchObject({ made: true, account: { email: 'new-owner@example.com', role: 'admin' } });
      expect(await t.shop.accounts.ownerEmails()).toEqual(['new-owner@example.com']);
      expect(await ensureFirstOwner(t.shop, 'third@example.com', 'third-password-44')).toEqual({ made: false, reason: 'owner_exists' });
    } finally {
      await t.close();
    }
  });
});

describe.skipIf(DATABASE_URL === undefined)(
  `the first owner made by processes at once on PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const schemas: string[] = [];
    const opened: RunningShop[] = [];
    const probe = new pg.Pool({ connectionString: DATABASE_URL });
    afterAll(async () => {
      for (const shop of opened) await shop.close();
      for (const schema of schemas) await dropShopSchemas(DATABASE_URL as string, schema);
      await probe.end();
    });

    /** `count` shops on one new schema, each with its own connection pool, as separate processes have. */
    async function shopsOnOneDatabase(count: number): Promise<RunningShop[]> {
      const schema = `first_owner_${Math.random().toString(36).slice(2, 10)}`;
      schemas.push(schema);
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: schema,
        SHOP_SECRET: 'first-owner-secret-first-owner-secret',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        DATA_DIR: tempFolder('first-owner'),
        DEMO_PANEL: 'off',
        LOG_LEVEL: 'silent',
      };
      const shops: RunningShop[] = [];
      for (let i = 0; i < count; i++) {
        const shop = await openShop(loadConfig(env), { logger: pino({ level: 'silent' }), passwordCost: TEST_PASSWORD_COST });
        opened.push(shop);
        shops.push(shop);
      }
      return shops;
    }

    /** Whether a connection waits for the first owner's advisory lock of this shop's schema. */
    async function waitsForOwnerLock(shop: RunningShop): Promise<boolean> {
      const { rows } = await probe.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
           AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
        [`${shop.shopSchema}.accounts:first_owner`],
      );
      return rows.length > 0;
    }

    it('a process that finds no owner while another is making one (other address) waits for it and makes none', async () => {
      const [first, second] = (await shopsOnOneDatabase(2)) as [RunningShop, RunningShop];
      const customer = await customerFor(first, 'first-owner@example.com', 'en');
      const passwordHash = await hashPassword('first-owner-password-1', TEST_PASSWORD_COST);
      let secondRun: Promise<FirstOwnerResult> | undefined;
      let secondSettled = false;
      await first.storage.transaction(async (tx) => {
        expect(
          await first.accounts.createFirstOwner(tx, { email: 'first-owner@example.com', passwordHash, customerId: customer.id }),
        ).not.toBeNull();
        // The other process starts now: the owner is not committed yet, so it sees none and goes on to make its own.
        secondRun = ensureFirstOwner(second, 'second-owner@example.com', 'second-owner-password-2');
        void secondRun.finally(() => {
          secondSettled = true;
        });
        // It must wait for this transaction; without the lock it would make a second owner meanwhile.
        while (!secondSettled && !(await waitsForOwnerLock(first))) await new Promise((resolve) => setTimeout(resolve, 10));
      });
      expect(await secondRun).toEqual({ made: false, reason: 'owner_exists' });
      expect(await second.accounts.ownerEmails()).toEqual(['first-owner@example.com']);
      expect(await second.accounts.getByEmail('second-owner@example.com')).toBeNull();
    });

    it('three at once with the same settings make one owner, and each of them returns', async () => {
      const shops = await shopsOnOneDatabase(3);
      const results = await Promise.all(shops.map((shop) => ensureFirstOwner(shop, OWNER, FIRST_PASSWORD)));
      expect(results.filter((r) => r.made)).toHaveLength(1);
      expect(results.filter((r) => !r.made)).toEqual([
        { made: false, reason: 'owner_exists' },
        { made: false, reason: 'owner_exists' },
      ]);
      const staff = await shops[0]!.accounts.listStaff();
      expect(staff.map((a) => [a.email, a.role])).toEqual([[OWNER, 'admin']]);
      const created = await shops[0]!.storage.audit.list({ subjectId: staff[0]!.customerId }, { limit: 10 });
      expect(created.items.filter((e) => e.action === 'account.created')).toHaveLength(1);
    });
  },
);
