/**
 * A discount code made for one customer (`DiscountCode.customerId`, storage port 19): only that customer may
 * redeem it. `NULL` (every existing code) is anyone's. A plain column: the redemption's conditional `UPDATE` of the
 * code's row checks it, so no index is needed.
 */
export const discountCodeCustomer = `
ALTER TABLE {{schema}}.discount_codes ADD COLUMN customer_id text COLLATE "C" REFERENCES {{schema}}.customers (id);
`;
