/**
 * ADMIN_EMAIL/ADMIN_PASSWORD make the first owner once and never touch the account again (issues 55 and 61): the
 * owner changes the password in the shop and the next start, with the same settings, leaves it changed; two
 * processes making the owner at the same moment make one account, and neither fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../src/app/auth/accounts.js';
import { verifyPassword } from '../src/app/auth/password.js';
import { loadConfig } from '../src/config/config.js';
import type { AccountStore } from '../src/db/accounts.js';
import { ensureStartupAdmin } from '../src/stack/admin-account.js';
import { openShop } from '../src/stack/shop.js';
import { createApp } from '../src/stack/web-app.js';
import { startShop, TEST_PASSWORD_COST, visitor } from './support/shop-under-test.js';

const OWNER = 'owner@example.com';
const FIRST_PASSWORD = 'first-owner-password-1';
const CHANGED_PASSWORD = 'changed-by-the-owner-2';

describe('the first owner across a restart with the same settings', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'panelkit-owner-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  // What `.env` holds, read again by each start.
  const env = {
    DATA_DIR: dataDir,
    DEMO_PANEL: 'off',
    ADMIN_EMAIL: 'Owner@Example.com',
    ADMIN_PASSWORD: FIRST_PASSWORD,
    STAFF_TOTP: 'optional',
    LOG_LEVEL: 'silent',
  };

  /** One start as `npm start` makes it: the shop opened on the data folder, the startup admin, the web app. */
  async function start() {
    const config = loadConfig(env);
    const shop = await openShop(config, { logger: pino({ level: 'silent' }), passwordCost: TEST_PASSWORD_COST });
    await ensureStartupAdmin(shop, config.dataDir);
    return { shop, app: createApp(shop) };
  }

  async function signIn(app: ReturnType<typeof createApp>, password: string) {
    const v = await visitor(app);
    const res = await v.agent.post('/signin').type('form').send({ _csrf: v.csrf, email: OWNER, password });
    return { status: res.status, v };
  }

  // Opens a file-backed PGlite twice (migrations included): a generous limit, as a hang guard only.
  it('keeps the password the owner chose: the new one signs in, the one in the settings is refused', { timeout: 120_000 }, async () => {
    const first = await start();
    let accountId: string;
    try {
      const owner = await signIn(first.app, FIRST_PASSWORD);
      expect(owner.status).toBe(303);
      await owner.v.agent
        .post('/account/password')
        .type('form')
        .send({ _csrf: owner.v.csrf, current: FIRST_PASSWORD, password: CHANGED_PASSWORD })
        .expect(303);
      accountId = (await first.shop.accounts.getByEmail(OWNER))!.id;
    } finally {
      await first.shop.close();
    }

    const second = await start();
    try {
      expect((await signIn(second.app, FIRST_PASSWORD)).status).toBe(401);
      expect((await signIn(second.app, CHANGED_PASSWORD)).status).toBe(303);
      const account = await second.shop.accounts.getByEmail(OWNER);
      expect(account).toMatchObject({ id: accountId, role: 'admin' });
      expect(await verifyPassword(FIRST_PASSWORD, account!.passwordHash)).toBe(false);
    } finally {
      await second.shop.close();
    }
  });
});

describe('the first owner made by two processes at once', () => {
  it('makes one account: the process that loses the race takes the winner’s, unchanged, and does not fail', async () => {
    const t = await startShop();
    try {
      const email = 'raced-owner@example.com';
      // The losing process reads "no account", then the other process creates it before this one writes.
      let raced = false;
      const accounts = Object.create(t.shop.accounts) as AccountStore;
      accounts.getByEmail = async (address: string) => {
        if (!raced) {
          raced = true;
          await ensureAdmin(t.shop, address, 'winner-password-123');
          return null;
        }
        return t.shop.accounts.getByEmail(address);
      };
      const taken = await ensureAdmin({ ...t.shop, accounts }, email, 'loser-password-456');
      const stored = await t.shop.accounts.getByEmail(email);
      expect(raced).toBe(true);
      expect(taken).toEqual(stored);
      expect(stored?.role).toBe('admin');
      expect(await verifyPassword('winner-password-123', stored!.passwordHash)).toBe(true);
      expect(await verifyPassword('loser-password-456', stored!.passwordHash)).toBe(false);
      const created = await t.shop.storage.audit.list({ subjectId: stored!.customerId }, { limit: 10 });
      expect(created.items.filter((e) => e.action === 'account.created')).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('leaves an existing account as it is: no new password, no new role', async () => {
    const t = await startShop();
    try {
      const buyer = await ensureAdmin(t.shop, 'was-owner@example.com', 'the-owners-password-1');
      await t.shop.accounts.setRole(buyer.id, 'support');
      const again = await ensureAdmin(t.shop, 'was-owner@example.com', 'another-password-22');
      expect(again).toMatchObject({ id: buyer.id, role: 'support' });
      expect(await verifyPassword('the-owners-password-1', again.passwordHash)).toBe(true);
    } finally {
      await t.close();
    }
  });
});
