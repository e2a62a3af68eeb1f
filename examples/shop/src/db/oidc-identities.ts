import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** An identity at a sign-in provider (its issuer's `sub`) joined to one account. */
export interface OidcIdentity {
  provider: string;
  subject: string;
  accountId: string;
  email: string | null;
}

/** The `oidc_identities` table: which account each provider identity signs in to. */
export class OidcIdentityStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** The account an identity signs in to, or `null` when it is joined to none. */
  async find(provider: string, subject: string): Promise<OidcIdentity | null> {
    const { rows } = await this.db.query<{ provider: string; subject: string; account_id: string; email: string | null }>(
      `SELECT provider, subject, account_id, email FROM ${this.schema}.oidc_identities WHERE provider = $1 AND subject = $2`,
      [provider, subject],
    );
    const row = rows[0];
    return row === undefined ? null : { provider: row.provider, subject: row.subject, accountId: row.account_id, email: row.email };
  }

  /**
   * Joins the identity to the account; when it is joined already (a second tab, another replica), the account it is
   * joined to wins and is returned. The primary key decides, so one identity never opens two accounts.
   */
  async join(identity: OidcIdentity): Promise<string> {
    await this.db.query(
      `INSERT INTO ${this.schema}.oidc_identities (provider, subject, account_id, email, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (provider, subject) DO NOTHING`,
      [identity.provider, identity.subject, identity.accountId, identity.email, this.clock.now()],
    );
    return (await this.find(identity.provider, identity.subject))?.accountId ?? identity.accountId;
  }

  /** The providers an account can sign in with. */
  async providersOf(accountId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ provider: string }>(
      `SELECT provider FROM ${this.schema}.oidc_identities WHERE account_id = $1 ORDER BY provider`,
      [accountId],
    );
    return rows.map((r) => r.provider);
  }
}

/** The shop's OIDC identity store. */
export function oidcIdentitiesOf(shop: { db: SqlClient; shopSchema: string; clock: Clock }): OidcIdentityStore {
  return new OidcIdentityStore(shop.db, shop.shopSchema, shop.clock);
}
