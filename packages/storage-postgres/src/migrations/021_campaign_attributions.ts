/**
 * Campaign attributions (`campaigns`, storage port 18): the campaign each customer came through, one row per customer
 * (the first attribution wins: an insert that finds the row changes nothing), and the index `sales.campaigns` reads a
 * campaign's customers by.
 */
export const campaignAttributions = `
CREATE TABLE {{schema}}.campaign_attributions (
  customer_id    text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.customers (id),
  campaign       text COLLATE "C" NOT NULL,
  attributed_at  timestamptz NOT NULL
);
CREATE INDEX campaign_attributions_campaign ON {{schema}}.campaign_attributions (campaign, customer_id);
`;
