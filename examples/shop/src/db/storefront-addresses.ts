import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** A storefront's web address: served at `/store/<slug>`, and every request whose host is one of `hosts` is its own. */
export interface StorefrontAddress {
  storefrontId: string;
  /** Lower case letters, digits and inner hyphens; unique across storefronts. */
  slug: string;
  /** Lower-case host names, without a port; each unique across storefronts. */
  hosts: string[];
  updatedAt: Date;
}

/** What {@link StorefrontAddressStore.set} refused, having written nothing: the slug or a host is another storefront's. */
export type AddressTaken = { taken: 'slug' } | { taken: 'host'; host: string };

interface AddressRow {
  storefront_id: string;
  slug: string;
  hosts: string[] | null;
  updated_at: Date | string;
}

/** Thrown inside the transaction to roll it back; never leaves the store. */
class Taken extends Error {
  constructor(readonly what: AddressTaken) {
    super('taken');
  }
}

/** The `storefront_addresses` and `storefront_hosts` tables: at most one address per storefront, written whole. */
export class StorefrontAddressStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  private select(where: string): string {
    return `SELECT a.storefront_id, a.slug, a.updated_at,
        ARRAY(SELECT h.host FROM ${this.schema}.storefront_hosts h WHERE h.storefront_id = a.storefront_id ORDER BY h.host) AS hosts
      FROM ${this.schema}.storefront_addresses a WHERE ${where}`;
  }

  private async one(where: string, value: string): Promise<StorefrontAddress | null> {
    const { rows } = await this.db.query<AddressRow>(this.select(where), [value]);
    const row = rows[0];
    return row === undefined
      ? null
      : { storefrontId: row.storefront_id, slug: row.slug, hosts: row.hosts ?? [], updatedAt: new Date(row.updated_at) };
  }

  /** The storefront's address, or `null` when it has none. */
  get(storefrontId: string): Promise<StorefrontAddress | null> {
    return this.one('a.storefront_id = $1', storefrontId);
  }

  /** The address served at `/store/<slug>` (the slug as stored, lower case), or `null`. */
  bySlug(slug: string): Promise<StorefrontAddress | null> {
    return this.one('a.slug = $1', slug);
  }

  /** Every storefront host name (lower case, no port) and the storefront it belongs to. */
  async hostOwners(): Promise<Map<string, string>> {
    const { rows } = await this.db.query<{ host: string; storefront_id: string }>(
      `SELECT host, storefront_id FROM ${this.schema}.storefront_hosts`,
    );
    return new Map(rows.map((row) => [row.host, row.storefront_id]));
  }

  /**
   * Replaces the storefront's address in one transaction (`null`: removes it). A slug or host another storefront
   * holds (two owners saving at once included: the second waits for the first and then finds it taken) is
   * answered as {@link AddressTaken} and nothing is written. Input is checked by the caller.
   */
  async set(
    storefrontId: string,
    address: { slug: string; hosts: readonly string[] } | null,
  ): Promise<StorefrontAddress | AddressTaken | null> {
    const now = this.clock.now();
    try {
      await this.db.transaction(async (tx) => {
        await tx.query(`DELETE FROM ${this.schema}.storefront_addresses WHERE storefront_id = $1`, [storefrontId]);
        if (address === null) return;
        const slug = await tx.query(
          `INSERT INTO ${this.schema}.storefront_addresses (storefront_id, slug, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (slug) DO NOTHING RETURNING slug`,
          [storefrontId, address.slug, now],
        );
        if (slug.rows.length === 0) throw new Taken({ taken: 'slug' });
        for (const host of address.hosts) {
          const added = await tx.query(
            `INSERT INTO ${this.schema}.storefront_hosts (host, storefront_id) VALUES ($1, $2) ON CONFLICT (host) DO NOTHING RETURNING host`,
            [host, storefrontId],
          );
          if (added.rows.length === 0) throw new Taken({ taken: 'host', host });
        }
      });
    } catch (error) {
      if (error instanceof Taken) return error.what;
      throw error;
    }
    return address === null ? null : this.get(storefrontId);
  }
}
