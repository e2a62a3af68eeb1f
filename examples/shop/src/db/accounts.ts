import { createId, type Clock } from '@panelkit/sdk';
import { transactionSql, type SqlQueryable } from '@panelkit/storage-postgres';

/** `admin` is the shop's owner (everything); `support` staff look after customers, receipts and subscriptions. */
export type AccountRole = 'buyer' | 'admin' | 'support';

export interface Account {
  id: string;
  email: string;
  passwordHash: string;
  customerId: string;
  role: AccountRole;
  createdAt: Date;
}

/** An `accounts` row as the driver returns it. */
export interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  customer_id: string;
  role: AccountRole;
  created_at: Date;
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    customerId: row.customer_id,
    role: row.role,
    createdAt: new Date(row.created_at),
  };
}

/** Sign-in identities: an email and password hash tied to one engine customer. */
export class AccountStore {
  constructor(
    private readonly db: SqlQueryable,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** `null` when the email is taken (checked by the unique index, so two sign-ups cannot both win). */
  async create(input: { email: string; passwordHash: string; customerId: string; role: AccountRole }): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(
      `INSERT INTO ${this.schema}.accounts (id, email, password_hash, customer_id, role, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *`,
      [createId('acc'), input.email.toLowerCase(), input.passwordHash, input.customerId, input.role, this.clock.now()],
    );
    return rows[0] === undefined ? null : toAccount(rows[0]);
  }

  /**
   * The shop's first owner, inserted inside storage transaction `tx` only while the shop has no owner (no `admin`
   * account) and the email is free; `null` otherwise. A transaction-scoped advisory lock makes processes (on any
   * host) that start at once take turns, so exactly one of them inserts it and the others then see it.
   */
  async createFirstOwner(tx: object, input: { email: string; passwordHash: string; customerId: string }): Promise<Account | null> {
    const sql = transactionSql(tx);
    await sql.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${this.schema}.accounts:first_owner`]);
    const { rows } = await sql.query<AccountRow>(
      `INSERT INTO ${this.schema}.accounts (id, email, password_hash, customer_id, role, created_at)
       SELECT $1, $2, $3, $4, 'admin', $5
       WHERE NOT EXISTS (SELECT 1 FROM ${this.schema}.accounts WHERE role = 'admin')
       ON CONFLICT DO NOTHING RETURNING *`,
      [createId('acc'), input.email.toLowerCase(), input.passwordHash, input.customerId, this.clock.now()],
    );
    return rows[0] === undefined ? null : toAccount(rows[0]);
  }

  async get(id: string): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(`SELECT * FROM ${this.schema}.accounts WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toAccount(rows[0]);
  }

  async getByEmail(email: string): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(`SELECT * FROM ${this.schema}.accounts WHERE email = $1`, [email.toLowerCase()]);
    return rows[0] === undefined ? null : toAccount(rows[0]);
  }

  async getByCustomer(customerId: string): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(`SELECT * FROM ${this.schema}.accounts WHERE customer_id = $1`, [customerId]);
    return rows[0] === undefined ? null : toAccount(rows[0]);
  }

  /** The account email of each of these engine customers that has an account. */
  async emailsOfCustomers(customerIds: readonly string[]): Promise<Map<string, string>> {
    if (customerIds.length === 0) return new Map();
    const { rows } = await this.db.query<{ customer_id: string; email: string }>(
      `SELECT customer_id, email FROM ${this.schema}.accounts WHERE customer_id = ANY($1::text[])`,
      [[...new Set(customerIds)]],
    );
    return new Map(rows.map((r) => [r.customer_id, r.email]));
  }

  /** The engine customers whose account email contains `text`, case-insensitively (at most a thousand). */
  async customersWithEmailLike(text: string): Promise<string[]> {
    const like = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.db.query<{ customer_id: string }>(
      `SELECT customer_id FROM ${this.schema}.accounts WHERE lower(email) LIKE $1 LIMIT 1000`,
      [like],
    );
    return rows.map((r) => r.customer_id);
  }

  /** The owners' emails (accounts with the `admin` role), in order: where staff notices go. */
  async ownerEmails(): Promise<string[]> {
    const { rows } = await this.db.query<{ email: string }>(
      `SELECT email FROM ${this.schema}.accounts WHERE role = 'admin' ORDER BY email`,
    );
    return rows.map((r) => r.email);
  }

  /** Owners and support staff, owners first. */
  async listStaff(): Promise<Account[]> {
    const { rows } = await this.db.query<AccountRow>(
      `SELECT * FROM ${this.schema}.accounts WHERE role IN ('admin', 'support') ORDER BY role = 'support', email`,
    );
    return rows.map(toAccount);
  }

  async setRole(id: string, role: AccountRole): Promise<void> {
    await this.db.query(`UPDATE ${this.schema}.accounts SET role = $2 WHERE id = $1`, [id, role]);
  }

  /**
   * Moves the account from role `from` to `to` inside a storage transaction (`tx`), so the change commits with
   * its audit entry; false when the account is missing or no longer has role `from` (another admin was first).
   */
  async changeRole(tx: object, id: string, from: AccountRole, to: AccountRole): Promise<boolean> {
    const { rows } = await transactionSql(tx).query(
      `UPDATE ${this.schema}.accounts SET role = $3 WHERE id = $1 AND role = $2 RETURNING 1`,
      [id, from, to],
    );
    return rows.length > 0;
  }
}
