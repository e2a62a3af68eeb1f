import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** A text a storefront sets per language (`en`, `ru`, `fa`, `zh`); a language left out falls back to English, then the shop's own. */
export type TextsByLocale = Partial<Record<string, string>>;

/** What a storefront's buyers see its bot as: its name, where to ask for help, its welcome and plan texts. */
export interface StorefrontBrand {
  storefrontId: string;
  shopName: string;
  /** A `@username`, a URL or an email the buyers are told to write to; `null`: none shown. */
  support: string | null;
  /** The greeting of `/start`, per language. */
  welcome: TextsByLocale;
  /** Per plan id, the plan's name as this storefront sells it, per language. */
  planNames: Record<string, TextsByLocale>;
  updatedAt: Date;
}

interface BrandRow {
  storefront_id: string;
  shop_name: string;
  support: string | null;
  texts: { welcome?: TextsByLocale; planNames?: Record<string, TextsByLocale> } | string;
  updated_at: Date;
}

function brandOf(row: BrandRow): StorefrontBrand {
  const texts = typeof row.texts === 'string' ? (JSON.parse(row.texts) as Exclude<BrandRow['texts'], string>) : row.texts;
  return {
    storefrontId: row.storefront_id,
    shopName: row.shop_name,
    support: row.support,
    welcome: texts.welcome ?? {},
    planNames: texts.planNames ?? {},
    updatedAt: new Date(row.updated_at),
  };
}

/** The `storefront_brands` table: one brand per storefront, written whole. */
export class StorefrontBrandStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** The storefront's brand, or `null` when it set none. */
  async get(storefrontId: string): Promise<StorefrontBrand | null> {
    const { rows } = await this.db.query<BrandRow>(`SELECT * FROM ${this.schema}.storefront_brands WHERE storefront_id = $1`, [
      storefrontId,
    ]);
    return rows[0] === undefined ? null : brandOf(rows[0]);
  }

  /** Sets the storefront's brand (the whole of it; input checked by the caller). */
  async save(brand: Omit<StorefrontBrand, 'updatedAt'>): Promise<StorefrontBrand> {
    const { rows } = await this.db.query<BrandRow>(
      `INSERT INTO ${this.schema}.storefront_brands (storefront_id, shop_name, support, texts, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (storefront_id) DO UPDATE SET shop_name = EXCLUDED.shop_name, support = EXCLUDED.support,
         texts = EXCLUDED.texts, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [
        brand.storefrontId,
        brand.shopName,
        brand.support,
        JSON.stringify({ welcome: brand.welcome, planNames: brand.planNames }),
        this.clock.now(),
      ],
    );
    return brandOf(rows[0]!);
  }
}
