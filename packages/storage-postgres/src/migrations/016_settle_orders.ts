/**
 * `settle_orders` (storage port 16, `orders.settle`): the orders of a provisioning batch settled in one
 * round trip instead of four statements an order (its lock, its subscriptions' list, its update, its
 * customer's referral). A function because the lock must come before the read: under read committed one
 * statement reads with the snapshot it started with, so a settle that waited for another transaction's lock
 * on the order would still see that transaction's subscriptions pending, and of two transactions settling
 * subscriptions of one order neither would settle it. In a volatile function each statement takes a new
 * snapshot: the lock is taken first (orders in id order, the port's lock order), then the subscriptions are
 * read as they stand once it is held.
 *
 * The rule is `OrderRepository.settle`'s: none pending; no failed subscription → `completed`, every one failed
 * → `failed`, else `partially_failed` (no subscription at all → `completed`). Returns the orders it changed, in
 * id order, with the status each had and whether the customer's referral is pending.
 */
export const settleOrders = `
CREATE FUNCTION {{schema}}.settle_orders(order_ids text[], settled_at timestamptz)
RETURNS TABLE (settled {{schema}}.orders, previous_status text, referral_pending boolean)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM 1 FROM {{schema}}.orders o WHERE o.id = ANY (order_ids) ORDER BY o.id FOR NO KEY UPDATE;
  RETURN QUERY
  WITH units AS (
    SELECT s.order_id,
           count(*) AS total,
           count(*) FILTER (WHERE s.status = 'pending') AS waiting,
           count(*) FILTER (WHERE s.status = 'failed') AS failed
      FROM {{schema}}.subscriptions s
     WHERE s.order_id = ANY (order_ids)
     GROUP BY s.order_id
  ), decided AS (
    SELECT o.id, o.status AS was,
           CASE WHEN coalesce(u.failed, 0) = 0 THEN 'completed'
                WHEN u.failed = u.total THEN 'failed'
                ELSE 'partially_failed' END AS next
      FROM {{schema}}.orders o
      LEFT JOIN units u ON u.order_id = o.id
     WHERE o.id = ANY (order_ids) AND coalesce(u.waiting, 0) = 0
  ), changed AS (
    UPDATE {{schema}}.orders o SET status = d.next, updated_at = settled_at
      FROM decided d
     WHERE o.id = d.id AND o.status <> d.next
    RETURNING o AS settled_row, d.was, o.customer_id AS customer
  )
  SELECT c.settled_row, c.was,
         EXISTS (SELECT 1 FROM {{schema}}.referrals r WHERE r.referred_id = c.customer AND r.status = 'pending')
    FROM changed c
   ORDER BY (c.settled_row).id;
END
$$;
`;
