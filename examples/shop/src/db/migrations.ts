import type { SqlClient } from '@panelkit/storage-postgres';

/**
 * The shop's own tables (accounts, sessions, API tokens, payments), in a schema beside the
 * engine's. Each migration is a list of statements; applied once, in order, under an advisory
 * lock so replicas starting together do it exactly once.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; statements: (s: string) => string[] }> = [
  {
    version: 1,
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
    // Versions 2–4 are taken by work landing beside this one; numbers need not be contiguous.
    version: 5,
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
];

/** The newest version this build knows (versions may skip numbers). */
export const SHOP_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** `"panelkit_shop"` for engine schema `panelkit`: the shop's tables sit beside the engine's. */
export function shopSchemaName(engineSchema: string): string {
  return `"${engineSchema}_shop"`;
}

/** Creates or upgrades the shop's tables; refuses a schema newer than this build knows. */
export async function migrateShop(client: SqlClient, engineSchema: string, now: Date): Promise<void> {
  const s = shopSchemaName(engineSchema);
  await client.transaction(async (db) => {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`panelkit.shop.migrate:${engineSchema}`]);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${s}.shop_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`);
    const { rows } = await db.query<{ version: number | null }>(`SELECT max(version)::int AS version FROM ${s}.shop_migrations`);
    const current = rows[0]?.version ?? 0;
    if (current > SHOP_SCHEMA_VERSION) {
      throw new Error(`the shop's tables are at version ${current}, newer than this build (${SHOP_SCHEMA_VERSION}); upgrade the shop`);
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(s)) await db.query(statement);
      await db.query(`INSERT INTO ${s}.shop_migrations (version, applied_at) VALUES ($1, $2)`, [migration.version, now]);
    }
  });
}
