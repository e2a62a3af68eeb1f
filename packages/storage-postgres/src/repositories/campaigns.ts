import { NotFoundError } from '@panelkit/sdk';
import { NewCampaignAttributionSchema } from '@panelkit/sdk/campaigns';
import type { CampaignAttribution, NewCampaignAttribution } from '@panelkit/sdk/campaigns';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { CampaignRepository } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

function attributionFromRow(r: Row): CampaignAttribution {
  return { customerId: dec.text(r['customer_id']), campaign: dec.text(r['campaign']), attributedAt: dec.time(r['attributed_at']) };
}

/**
 * Campaign attributions: `attribute` is one insert that does nothing on the customer's row (the primary key), so of two
 * racing attributions the first to commit wins and the other reads it back.
 */
export function campaignRepository({ runner, schema }: RepositoryContext): CampaignRepository {
  const table = `${schema}.campaign_attributions`;
  const read = { read: true } as const;
  return {
    attribute: (input: NewCampaignAttribution) =>
      runner.run('campaigns.attribute', async ({ db, now }) => {
        const p = parseInput(NewCampaignAttributionSchema, input, 'campaign attribution');
        const customer = await db.query(`SELECT id FROM ${schema}.customers WHERE id = $1`, [p.customerId]);
        if (customer.rows.length === 0) throw new NotFoundError('customer', p.customerId);
        const inserted = await db.query(
          `INSERT INTO ${table} (customer_id, campaign, attributed_at) VALUES ($1, $2, $3::timestamptz)
           ON CONFLICT (customer_id) DO NOTHING RETURNING *`,
          [p.customerId, p.campaign, enc.time(now)],
        );
        if (inserted.rows[0] !== undefined) return { attribution: attributionFromRow(inserted.rows[0]), created: true };
        const { rows } = await db.query(`SELECT * FROM ${table} WHERE customer_id = $1`, [p.customerId]);
        return { attribution: attributionFromRow(rows[0]!), created: false };
      }),

    get: (customerId: string) =>
      runner.run(
        'campaigns.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE customer_id = $1`, [inputKey(customerId, 'customer id')]);
          return rows[0] === undefined ? null : attributionFromRow(rows[0]);
        },
        read,
      ),
  };
}
