/**
 * Storefront sales of charges with no order of their own (storage port 22): an extension, an auto-renewal, a plan
 * change, a traffic top-up or a gift of a storefront's buyer splits like a checkout. Such a row names the buyer's
 * ledger key of the charge (`charge_key`, which its refund rows name too) instead of an order; `source` says what was
 * sold (older rows were checkouts). Every row names an order or a charge.
 */
export const storefrontCharges = `
ALTER TABLE {{schema}}.storefront_sales ALTER COLUMN order_id DROP NOT NULL;
ALTER TABLE {{schema}}.storefront_sales
  ADD COLUMN subscription_id text COLLATE "C" REFERENCES {{schema}}.subscriptions (id),
  ADD COLUMN source text COLLATE "C" NOT NULL DEFAULT 'checkout'
    CHECK (source IN ('checkout', 'extension', 'renewal', 'plan_change', 'device_pack', 'traffic_top_up', 'gift')),
  ADD COLUMN charge_key text COLLATE "C",
  ADD CONSTRAINT storefront_sales_names_what CHECK (order_id IS NOT NULL OR charge_key IS NOT NULL);
CREATE INDEX storefront_sales_charge_idx ON {{schema}}.storefront_sales (charge_key, created_at, id) WHERE charge_key IS NOT NULL;
`;
