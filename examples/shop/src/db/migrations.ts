import { runMigrations } from '@panelkit/storage-postgres';
import type { SqlClient } from '@panelkit/storage-postgres';

/** The name of the shop migration that drops the payments table of releases before the SDK's payments. */
export const DROP_LEGACY_PAYMENTS = 'drop_legacy_payments';
/** The migration that drops the shop's own notification queue (run after its leftovers are carried over). */
export const NOTIFICATIONS_ON_HOST_JOBS = 'notifications_on_host_jobs';

/** A shop migration: `s` is the shop's quoted schema, `engine` the engine's, quoted. */
interface ShopMigration {
  version: number;
  name: string;
  statements: (s: string, engine: string) => string[];
}

/**
 * The shop's own tables (accounts, sessions, API tokens, payments, notifications), in a schema beside the
 * engine's. Each migration is a list of statements; `migrateShop` applies them once, in order.
 */
const MIGRATIONS: readonly ShopMigration[] = [
  {
    version: 1,
    name: 'accounts_payments',
    statements: (s) => [
      `CREATE TABLE ${s}.accounts (
        id text PRIMARY KEY,
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        customer_id text NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('buyer', 'admin')),
        created_at timestamptz NOT NULL
      )`,
      `CREATE TABLE ${s}.sessions (
        token_hash text PRIMARY KEY,
        account_id text NOT NULL REFERENCES ${s}.accounts (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
      `CREATE INDEX sessions_expiry ON ${s}.sessions (expires_at)`,
      `CREATE TABLE ${s}.api_tokens (
        token_hash text PRIMARY KEY,
        account_id text NOT NULL REFERENCES ${s}.accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz
      )`,
      `CREATE INDEX api_tokens_account ON ${s}.api_tokens (account_id)`,
      `CREATE TABLE ${s}.payments (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        provider text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        reference text,
        reference_key text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        credited_entry_id text,
        created_at timestamptz NOT NULL,
        reviewed_at timestamptz,
        reviewed_by text,
        review_note text
      )`,
      // A receipt reference is accepted once per provider, whatever became of the first.
      `CREATE UNIQUE INDEX payments_reference_once ON ${s}.payments (provider, reference_key) WHERE reference_key IS NOT NULL`,
      `CREATE INDEX payments_by_status ON ${s}.payments (status, created_at)`,
      `CREATE INDEX payments_by_customer ON ${s}.payments (customer_id, created_at DESC)`,
      // Approved but not yet credited: the settle sweep's queue.
      `CREATE INDEX payments_uncredited ON ${s}.payments (created_at) WHERE status = 'approved' AND credited_entry_id IS NULL`,
    ],
  },
  {
    // Notifications (src/notifications): what the shop tells people, its deliveries per channel, opt-outs,
    // and the audit relay's position.
    version: 2,
    name: 'notifications',
    statements: (s, engine) => [
      `CREATE TABLE ${s}.notifications (
        id text PRIMARY KEY,
        customer_id text,
        kind text NOT NULL,
        source text NOT NULL,
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL,
        fanned_out_at timestamptz,
        muted boolean NOT NULL DEFAULT false
      )`,
      // One notice per cause, kind and recipient, however often the cause is relayed (staff: customer_id NULL).
      `CREATE UNIQUE INDEX notifications_once ON ${s}.notifications (source, kind, coalesce(customer_id, ''))`,
      `CREATE INDEX notifications_by_customer ON ${s}.notifications (customer_id, created_at DESC, id DESC)`,
      `CREATE INDEX notifications_to_fan_out ON ${s}.notifications (created_at, id) WHERE fanned_out_at IS NULL`,
      `CREATE TABLE ${s}.notification_deliveries (
        id text PRIMARY KEY,
        notification_id text NOT NULL REFERENCES ${s}.notifications (id) ON DELETE CASCADE,
        channel text NOT NULL,
        address text NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_token text,
        lease_expires_at timestamptz,
        last_error text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        UNIQUE (notification_id, channel, address)
      )`,
      `CREATE INDEX notification_deliveries_due ON ${s}.notification_deliveries (next_attempt_at, id) WHERE status = 'pending'`,
      `CREATE INDEX notification_deliveries_leased ON ${s}.notification_deliveries (lease_expires_at, id) WHERE status = 'sending'`,
      `CREATE INDEX notification_deliveries_failed ON ${s}.notification_deliveries (created_at DESC, id DESC) WHERE status = 'failed'`,
      // A row per kind a buyer does not want.
      `CREATE TABLE ${s}.notification_opt_outs (
        customer_id text NOT NULL,
        kind text NOT NULL,
        PRIMARY KEY (customer_id, kind)
      )`,
      `CREATE TABLE ${s}.notification_relay (
        name text PRIMARY KEY,
        position_at timestamptz NOT NULL
      )`,
      // Audit events already turned into notifications within the relay's look-back window.
      `CREATE TABLE ${s}.notification_relayed_events (
        event_id text PRIMARY KEY,
        at timestamptz NOT NULL
      )`,
      `CREATE INDEX notification_relayed_events_at ON ${s}.notification_relayed_events (at)`,
      // An existing shop starts relaying from its newest audit event, not from its whole history.
      `INSERT INTO ${s}.notification_relay (name, position_at) SELECT 'audit', coalesce(max(at), timestamptz 'epoch') FROM ${engine}.audit_events`,
    ],
  },
  {
    version: 3,
    name: 'telegram',
    statements: (s) => [
      // A Telegram user and the customer they act as (one each way); the chat the bot writes to.
      `CREATE TABLE ${s}.telegram_links (
        telegram_user_id text PRIMARY KEY,
        chat_id text NOT NULL,
        customer_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      // One-time deep-link tokens from the web account page (`/start <token>` links the two).
      `CREATE TABLE ${s}.telegram_link_tokens (
        token_hash text PRIMARY KEY,
        customer_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`,
      // Updates already handled: a redelivered update (same update_id) does nothing.
      `CREATE TABLE ${s}.telegram_updates (update_id bigint PRIMARY KEY, received_at timestamptz NOT NULL)`,
      `CREATE INDEX telegram_updates_age ON ${s}.telegram_updates (received_at)`,
      // The photo a buyer sent with a card receipt, for the admins' queue in the bot.
      `CREATE TABLE ${s}.telegram_receipt_photos (
        payment_id text PRIMARY KEY,
        file_id text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      // Notification messages sent through the bot, by the delivery's key: a key is sent at most once.
      `CREATE TABLE ${s}.telegram_sent (idempotency_key text PRIMARY KEY, chat_id text NOT NULL, sent_at timestamptz NOT NULL)`,
      `CREATE TABLE ${s}.telegram_broadcasts (
        id text PRIMARY KEY,
        text text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      // One row per buyer's chat per broadcast; claimed with SKIP LOCKED, 'sending' before the call so nothing goes twice.
      `CREATE TABLE ${s}.telegram_broadcast_deliveries (
        broadcast_id text NOT NULL REFERENCES ${s}.telegram_broadcasts (id),
        chat_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
        attempts integer NOT NULL DEFAULT 0,
        claimed_at timestamptz,
        sent_at timestamptz,
        error text,
        PRIMARY KEY (broadcast_id, chat_id)
      )`,
      `CREATE INDEX telegram_deliveries_due ON ${s}.telegram_broadcast_deliveries (broadcast_id, chat_id) WHERE status = 'pending'`,
      `CREATE INDEX telegram_deliveries_sending ON ${s}.telegram_broadcast_deliveries (claimed_at) WHERE status = 'sending'`,
      // The daily summary's ticks: one replica wins each day.
      `CREATE TABLE ${s}.telegram_daily_summaries (day date PRIMARY KEY, sent_at timestamptz NOT NULL)`,
    ],
  },
  {
    // Staff sign-in: a TOTP second factor (its secret sealed by the shop's secret box), hashed recovery
    // codes, and per-session state (waiting for the second factor, last re-authentication, the browser).
    version: 4,
    name: 'staff_totp',
    statements: (s) => [
      `ALTER TABLE ${s}.sessions ADD COLUMN second_factor_pending boolean NOT NULL DEFAULT false,
        ADD COLUMN failed_codes integer NOT NULL DEFAULT 0, ADD COLUMN reauth_at timestamptz, ADD COLUMN user_agent text`,
      `CREATE TABLE ${s}.staff_totp (
        account_id text PRIMARY KEY REFERENCES ${s}.accounts (id) ON DELETE CASCADE,
        secret_sealed text NOT NULL,
        enabled_at timestamptz,
        last_time_step bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL
      )`,
      `CREATE TABLE ${s}.staff_recovery_codes (
        account_id text NOT NULL REFERENCES ${s}.accounts (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        used_at timestamptz,
        PRIMARY KEY (account_id, code_hash)
      )`,
    ],
  },
  {
    version: 5,
    name: 'subscription_links',
    statements: (s) => [
      // One shop-owned subscription link per customer. The token is derived from the shop secret and `nonce`
      // (so the page can show it again) and looked up by its SHA-256: the table alone cannot be replayed.
      `CREATE TABLE ${s}.subscription_links (
        customer_id text PRIMARY KEY,
        nonce text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        rotated_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 6,
    name: 'support_staff',
    // Support staff: `admin` stays the owner (existing admins keep everything).
    statements: (s) => [
      `ALTER TABLE ${s}.accounts DROP CONSTRAINT accounts_role_check`,
      `ALTER TABLE ${s}.accounts ADD CONSTRAINT accounts_role_check CHECK (role IN ('buyer', 'admin', 'support'))`,
    ],
  },
  {
    // Forgotten-password links: only the SHA-256 of each token is kept; single use, short-lived.
    version: 7,
    name: 'password_resets',
    statements: (s) => [
      `CREATE TABLE ${s}.password_resets (
        token_hash text PRIMARY KEY,
        account_id text NOT NULL REFERENCES ${s}.accounts (id) ON DELETE CASCADE,
        issued_by text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`,
      `CREATE INDEX password_resets_account ON ${s}.password_resets (account_id, created_at)`,
    ],
  },
  {
    // Settings the owner changes in the back office; secrets among them (gateway keys, the bot token) only sealed.
    version: 8,
    name: 'shop_settings',
    statements: (s) => [
      `CREATE TABLE ${s}.shop_settings (
        name text PRIMARY KEY,
        value jsonb NOT NULL DEFAULT '{}'::jsonb,
        sealed text,
        updated_at timestamptz NOT NULL,
        updated_by text
      )`,
    ],
  },
  {
    // A plan's name and description per language; the engine's plan row keeps the default texts.
    version: 9,
    name: 'plan_texts',
    statements: (s) => [
      `CREATE TABLE ${s}.plan_texts (
        plan_id text NOT NULL,
        locale text NOT NULL,
        name text NOT NULL,
        description text,
        PRIMARY KEY (plan_id, locale)
      )`,
    ],
  },
  {
    // A reseller's own clients (seen by that reseller only) and which of its subscriptions each one holds.
    version: 10,
    name: 'reseller_clients',
    statements: (s) => [
      `CREATE TABLE ${s}.reseller_clients (
        id text PRIMARY KEY,
        reseller_id text NOT NULL,
        name text NOT NULL,
        note text,
        created_at timestamptz NOT NULL,
        UNIQUE (reseller_id, name)
      )`,
      `CREATE TABLE ${s}.reseller_client_subscriptions (
        subscription_id text PRIMARY KEY,
        client_id text NOT NULL REFERENCES ${s}.reseller_clients (id),
        assigned_at timestamptz NOT NULL
      )`,
      `CREATE INDEX reseller_client_subscriptions_client ON ${s}.reseller_client_subscriptions (client_id)`,
    ],
  },
  {
    // Issue 32 (access): API token scopes (tokens made before scopes keep reading and writing, as they could),
    // support staff's money per day, failed sign-in counters per account, and sessions bound to their CSRF cookie.
    version: 11,
    name: 'access_hardening',
    statements: (s) => [
      `ALTER TABLE ${s}.api_tokens ADD COLUMN scopes text NOT NULL DEFAULT 'read write'`,
      `CREATE TABLE ${s}.support_money_days (
        account_id text NOT NULL,
        day date NOT NULL,
        used bigint NOT NULL CHECK (used >= 0),
        PRIMARY KEY (account_id, day)
      )`,
      `CREATE TABLE ${s}.auth_throttles (
        key text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        failures integer NOT NULL,
        notified boolean NOT NULL DEFAULT false
      )`,
      `ALTER TABLE ${s}.sessions ADD COLUMN csrf_binding text`,
    ],
  },
  {
    // Payments live in the SDK now (`kit.payments`); the shop's own table goes once its rows were carried
    // over (see `migrateShopCarryingPayments`, which runs this only after `carryOverLegacyPayments`).
    version: 12,
    name: DROP_LEGACY_PAYMENTS,
    statements: (s) => [`DROP TABLE IF EXISTS ${s}.payments`],
  },
  {
    // Notifications are fanned out and sent by host jobs on the SDK's worker now: the shop's own lease queue
    // and the audit relay go, once what they left undone was handed over (`carryOverNotificationQueue`, run
    // by `openShop` before this migration).
    version: 13,
    name: NOTIFICATIONS_ON_HOST_JOBS,
    statements: (s) => [
      `DROP TABLE IF EXISTS ${s}.notification_relay`,
      `DROP TABLE IF EXISTS ${s}.notification_relayed_events`,
      `DROP INDEX IF EXISTS ${s}.notification_deliveries_due`,
      `DROP INDEX IF EXISTS ${s}.notification_deliveries_leased`,
      `UPDATE ${s}.notification_deliveries SET status = 'pending' WHERE status = 'sending'`,
      `ALTER TABLE ${s}.notification_deliveries DROP CONSTRAINT IF EXISTS notification_deliveries_status_check`,
      `ALTER TABLE ${s}.notification_deliveries ADD CONSTRAINT notification_deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed'))`,
      `ALTER TABLE ${s}.notification_deliveries DROP COLUMN IF EXISTS next_attempt_at, DROP COLUMN IF EXISTS lease_token, DROP COLUMN IF EXISTS lease_expires_at`,
    ],
  },
  {
    // Issue 31 (admins in the bot): a Telegram user's @username, so an admin can find a customer by it, and what the
    // bot waits for an admin to type next (a rejection's reason, a suspension's reason, a customer to find).
    version: 14,
    name: 'telegram_admin',
    statements: (s) => [
      `ALTER TABLE ${s}.telegram_links ADD COLUMN IF NOT EXISTS username text`,
      `CREATE INDEX IF NOT EXISTS telegram_links_username ON ${s}.telegram_links (lower(username))`,
      `CREATE TABLE IF NOT EXISTS ${s}.telegram_prompts (
        telegram_user_id text PRIMARY KEY,
        action text NOT NULL,
        subject_id text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    // Issue 44: a chat Telegram refused for good (the user blocked the bot, the chat is unknown, the account is
    // gone) is written to no more until an update from it arrives.
    version: 15,
    name: 'telegram_unreachable_chats',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.telegram_unreachable_chats (
        chat_id text PRIMARY KEY,
        reason text NOT NULL,
        marked_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    // Issue 44: the account-wide window of password guesses is a delay past its limit (one guess every so often),
    // not a wall: the time the next guess may be judged.
    version: 16,
    name: 'auth_throttle_delay',
    statements: (s) => [`ALTER TABLE ${s}.auth_throttles ADD COLUMN IF NOT EXISTS next_at timestamptz`],
  },
  {
    // Issue 47: the shop as a Telegram Mini App. Launch data that signed someone in, by its hash, so the same
    // launch data cannot sign in twice on any replica (kept as long as it would pass the age check).
    version: 17,
    name: 'telegram_mini_app',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.telegram_init_data_uses (
        init_data_hash text PRIMARY KEY,
        used_at timestamptz NOT NULL,
        keep_until timestamptz NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS telegram_init_data_uses_keep_until ON ${s}.telegram_init_data_uses (keep_until)`,
    ],
  },
  {
    // Issue 44: the owner's imports of an old bot's database, run as a job on the worker, with their progress.
    version: 18,
    name: 'shop_imports',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.shop_imports (
        id text PRIMARY KEY,
        kind text NOT NULL,
        source text NOT NULL,
        database_url text NOT NULL,
        amount_factor double precision NOT NULL,
        panels jsonb NOT NULL DEFAULT '{}'::jsonb,
        dry_run boolean NOT NULL,
        state text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        done integer NOT NULL DEFAULT 0,
        total integer NOT NULL DEFAULT 0,
        summary jsonb,
        unmapped jsonb,
        error text,
        started_by text,
        created_at timestamptz NOT NULL,
        started_at timestamptz,
        updated_at timestamptz NOT NULL,
        finished_at timestamptz
      )`,
      `CREATE INDEX IF NOT EXISTS shop_imports_created ON ${s}.shop_imports (created_at DESC)`,
    ],
  },
  {
    // Issue 50: a Telegram update claimed but not finished is being handled; its redelivery waits (503) instead of
    // being dropped, and one left unfinished past a lease (its replica died) is taken over. Rows already there, and
    // rows an older release writes during a rolling upgrade, count as finished (the column's default).
    version: 19,
    name: 'telegram_updates_finished',
    statements: (s) => [`ALTER TABLE ${s}.telegram_updates ADD COLUMN IF NOT EXISTS finished_at timestamptz DEFAULT now()`],
  },
  {
    // Issue 57: what a plan's buyers' apps send direct (a routing preset, src/db/plan-routing.ts); no row: everything
    // through the proxy. No check on the value: a preset a newer release adds is read as none by an older one.
    version: 20,
    name: 'plan_routing',
    statements: (s) => [`CREATE TABLE IF NOT EXISTS ${s}.plan_routing (plan_id text PRIMARY KEY, preset text NOT NULL)`],
  },
  {
    // Issue 57: sign-in without Telegram. One-time codes sent by e-mail (only an HMAC of the code is kept; the code
    // itself is sealed for the mail job and blanked once sent), and the OpenID Connect identities joined to accounts.
    version: 21,
    name: 'sign_in_without_telegram',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.email_codes (
        id text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('sign_in', 'add_email', 'join')),
        email text NOT NULL,
        account_id text REFERENCES ${s}.accounts (id) ON DELETE CASCADE,
        subject text,
        locale text NOT NULL,
        code_hash text NOT NULL,
        sealed_code text,
        wrong_guesses integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`,
      `CREATE INDEX IF NOT EXISTS email_codes_by_email ON ${s}.email_codes (email, purpose, created_at DESC)`,
      `CREATE TABLE IF NOT EXISTS ${s}.oidc_identities (
        provider text NOT NULL,
        subject text NOT NULL,
        account_id text NOT NULL REFERENCES ${s}.accounts (id) ON DELETE CASCADE,
        email text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (provider, subject)
      )`,
      `CREATE INDEX IF NOT EXISTS oidc_identities_by_account ON ${s}.oidc_identities (account_id)`,
    ],
  },
  {
    // Issue 58: support tickets. A ticket and its thread are the shop's own rows (no money); a message's picture is
    // a Telegram file id, kept as receipt photos keep theirs (`telegram-receipt-photos.ts`). `awaiting_since`: the
    // first buyer message no staff answer has followed yet (`NULL`: nothing waits), the one fact the waiting times
    // are read from (`app/support/ticket-waits.ts`). A message's `seq` is its place in the thread (written under the
    // ticket's lock; two messages of one instant keep the order they were written in).
    version: 22,
    name: 'support_tickets',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.support_tickets (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        subject text NOT NULL,
        status text NOT NULL CHECK (status IN ('waiting', 'answered', 'closed')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        awaiting_since timestamptz,
        first_answer_at timestamptz,
        last_answer_at timestamptz,
        closed_at timestamptz,
        closed_by text CHECK (closed_by IN ('buyer', 'staff')),
        close_reason text
      )`,
      `CREATE INDEX IF NOT EXISTS support_tickets_by_customer ON ${s}.support_tickets (customer_id, created_at DESC)`,
      `CREATE INDEX IF NOT EXISTS support_tickets_open ON ${s}.support_tickets (status, awaiting_since) WHERE status <> 'closed'`,
      `CREATE TABLE IF NOT EXISTS ${s}.support_ticket_messages (
        id text PRIMARY KEY,
        ticket_id text NOT NULL REFERENCES ${s}.support_tickets (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        author text NOT NULL CHECK (author IN ('buyer', 'staff')),
        staff_id text,
        body text NOT NULL,
        picture text,
        created_at timestamptz NOT NULL,
        UNIQUE (ticket_id, seq)
      )`,
    ],
  },
  {
    // Issue 58: the owner's campaigns (src/db/campaigns.ts): each a slug for its links, a name, and an optional
    // welcome (a wallet bonus, a discount code to tell the buyer). Which customer came through which campaign is the
    // engine's (`campaigns.attribute`); this table holds only what the owner set.
    version: 23,
    name: 'campaigns',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.campaigns (
        slug text COLLATE "C" PRIMARY KEY,
        name text NOT NULL,
        bonus_amount bigint NOT NULL DEFAULT 0 CHECK (bonus_amount >= 0),
        welcome_code text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    // Issue 68: buyers' link tokens move to the SDK (`kit.links`, the engine's `link_tokens`, storage port 20), which
    // derives them exactly as the shop did: each row is copied as it is (nonce, hash, times), so every `/s/<token>`
    // handed out keeps resolving, then the shop's table goes. The engine's schema is migrated first (`openShop`). A
    // row whose customer is gone could never serve a link and is not copied.
    version: 24,
    name: 'link_tokens_to_sdk',
    statements: (s, engine) => [
      `INSERT INTO ${engine}.link_tokens (customer_id, nonce, token_hash, created_at, rotated_at)
       SELECT l.customer_id, l.nonce, l.token_hash, l.created_at, l.rotated_at
       FROM ${s}.subscription_links l JOIN ${engine}.customers c ON c.id = l.customer_id
       ON CONFLICT DO NOTHING`,
      `DROP TABLE ${s}.subscription_links`,
    ],
  },
  {
    // Issue 70: each storefront's own Telegram bot, one shop process serving them all (src/db/storefront-bots.ts):
    // its token and webhook secret sealed with the shop's secret box, its brand, the Telegram users who became its
    // buyers (a storefront's buyer is another customer than the same user's in the owner's bot), and the update ids
    // each bot's webhook handled (update ids are per bot). Keyed by the SDK's storefront id.
    version: 27,
    name: 'storefront_bots',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.storefront_bots (
        storefront_id text COLLATE "C" PRIMARY KEY,
        bot_id bigint NOT NULL UNIQUE,
        username text NOT NULL,
        token_sealed text NOT NULL,
        webhook_secret_sealed text NOT NULL,
        connected_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS ${s}.storefront_brands (
        storefront_id text COLLATE "C" PRIMARY KEY,
        shop_name text NOT NULL,
        support text,
        texts jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS ${s}.storefront_telegram_links (
        storefront_id text COLLATE "C" NOT NULL,
        telegram_user_id text NOT NULL,
        chat_id text NOT NULL,
        customer_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (storefront_id, telegram_user_id)
      )`,
      `CREATE TABLE IF NOT EXISTS ${s}.storefront_telegram_updates (
        bot_id bigint NOT NULL,
        update_id bigint NOT NULL,
        received_at timestamptz NOT NULL,
        finished_at timestamptz,
        PRIMARY KEY (bot_id, update_id)
      )`,
      `CREATE INDEX IF NOT EXISTS storefront_telegram_updates_age ON ${s}.storefront_telegram_updates (received_at)`,
    ],
  },
  {
    // Issue 70: a storefront's web address (src/db/storefront-addresses.ts): the path slug it is served at
    // (`/store/<slug>`) and the host names whose requests are its own, each unique across storefronts.
    version: 28,
    name: 'storefront_addresses',
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.storefront_addresses (
        storefront_id text COLLATE "C" PRIMARY KEY,
        slug text COLLATE "C" NOT NULL UNIQUE,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS ${s}.storefront_hosts (
        host text COLLATE "C" PRIMARY KEY,
        storefront_id text COLLATE "C" NOT NULL REFERENCES ${s}.storefront_addresses (storefront_id) ON DELETE CASCADE
      )`,
      `CREATE INDEX IF NOT EXISTS storefront_hosts_by_storefront ON ${s}.storefront_hosts (storefront_id)`,
    ],
  },
];

/** Every version this build knows, in order (numbers are assigned per feature, so there may be gaps). */
export const SHOP_MIGRATION_VERSIONS: readonly number[] = MIGRATIONS.map((m) => m.version);

/** The newest version this build knows. */
export const SHOP_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** `"panelkit_shop"` for engine schema `panelkit`: the shop's tables sit beside the engine's. */
export function shopSchemaName(engineSchema: string): string {
  return `"${engineSchema}_shop"`;
}

/**
 * Creates or upgrades the shop's tables with the storage's migration runner: one transaction under an advisory
 * lock, so replicas starting together apply each migration once. The lock key and the `shop_migrations` table are
 * the ones earlier releases used, so replicas of old and new releases serialise on the same lock. Refuses tables
 * newer than this build knows with `ConfigurationError`. `before` stops short of the named migration (the shop
 * carries its old payments over to the SDK between the two steps, see `openShop`).
 */
export async function migrateShop(client: SqlClient, engineSchema: string, now: Date, options: { before?: string } = {}): Promise<void> {
  const engine = `"${engineSchema}"`;
  const stop = options.before === undefined ? -1 : MIGRATIONS.findIndex((m) => m.name === options.before);
  const migrations = stop < 0 ? MIGRATIONS : MIGRATIONS.slice(0, stop);
  await runMigrations(client, {
    schema: `${engineSchema}_shop`,
    table: 'shop_migrations',
    lockKey: `panelkit.shop.migrate:${engineSchema}`,
    migrations: migrations.map((m) => ({ version: m.version, name: m.name, statements: (s: string) => m.statements(s, engine) })),
    clock: { now: () => now },
    tooNewMessage: (found, latest) => `the shop's tables are at version ${found}, newer than this build (${latest}); upgrade the shop`,
  });
}
