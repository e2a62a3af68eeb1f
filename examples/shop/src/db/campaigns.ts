import type { SqlQueryable } from '@panelkit/storage-postgres';

/** A campaign as the owner set it. */
export interface Campaign {
  /** The name in its links (`/start campaign_<slug>`, `/signup?c=<slug>`), lower case; never changes. */
  slug: string;
  /** What the owner calls it (shown in the admin only). */
  name: string;
  /** Credited once to each customer it brings, in the shop's currency (minor units); 0: none. */
  bonusAmount: number;
  /** A discount code told to each customer it brings; `null`: none. */
  welcomeCode: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface CampaignRow {
  slug: string;
  name: string;
  bonus_amount: string | number;
  welcome_code: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

function toCampaign(r: CampaignRow): Campaign {
  return {
    slug: r.slug,
    name: r.name,
    bonusAmount: Number(r.bonus_amount),
    welcomeCode: r.welcome_code,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** Every campaign, newest first. */
export async function listCampaigns(db: SqlQueryable, schema: string): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(`SELECT * FROM ${schema}.campaigns ORDER BY created_at DESC, slug`);
  return rows.map(toCampaign);
}

/** The campaign with this slug, or `null`. */
export async function campaignBySlug(db: SqlQueryable, schema: string, slug: string): Promise<Campaign | null> {
  const { rows } = await db.query<CampaignRow>(`SELECT * FROM ${schema}.campaigns WHERE slug = $1`, [slug]);
  return rows[0] === undefined ? null : toCampaign(rows[0]);
}

/** Stores a new campaign; false (nothing written) when its slug is taken. */
export async function insertCampaign(
  db: SqlQueryable,
  schema: string,
  c: Omit<Campaign, 'createdAt' | 'updatedAt'>,
  at: Date,
): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO ${schema}.campaigns (slug, name, bonus_amount, welcome_code, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (slug) DO NOTHING RETURNING slug`,
    [c.slug, c.name, c.bonusAmount, c.welcomeCode, at],
  );
  return rows.length > 0;
}

/** Changes a campaign's name and welcome; false when there is none with this slug. */
export async function saveCampaignWelcome(
  db: SqlQueryable,
  schema: string,
  c: Omit<Campaign, 'createdAt' | 'updatedAt'>,
  at: Date,
): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE ${schema}.campaigns SET name = $2, bonus_amount = $3, welcome_code = $4, updated_at = $5 WHERE slug = $1 RETURNING slug`,
    [c.slug, c.name, c.bonusAmount, c.welcomeCode, at],
  );
  return rows.length > 0;
}
