/** What a buyer is told about; each may be turned off on the buyer's notifications page. */
export const CUSTOMER_KINDS = [
  'subscription_provisioned',
  'expiry_soon',
  'traffic_warning',
  'subscription_limited',
  'subscription_expired',
  'subscription_renewed',
  'renewal_failed_funds',
  'extension_applied',
  'server_changed',
  'address_changed',
  'receipt_approved',
  'receipt_rejected',
  'topup_credited',
  'refund',
  'payment_refunded',
  'renewal_charge_declined',
  'renewal_action_required',
  'device_added',
  'device_refused',
  'never_connected',
  'campaign_welcome',
  'win_back',
  'ticket_answered',
  'ticket_closed',
  'gift_claimed',
  'gift_refunded',
  // Last: a bot's settings buttons name a kind by its index here, so a new kind goes at the end.
  'renewal_refused_storefront',
  'reimport_needed',
  'sharing_warned',
  'sharing_limited',
  'sharing_suspended',
] as const;

/** What the shop's staff are alerted to (always sent). */
export const STAFF_KINDS = [
  'provisioning_failed',
  'panel_down',
  'panel_up',
  'client_unreadable',
  'target_nearly_full',
  'payment_credit_failed',
  'payment_reversed',
  'gateway_key_refused',
  'receipt_waiting',
  'channel_unchecked',
  'ticket_waiting',
] as const;

/** What an account holder is told about their account's safety (always sent, never turned off). */
export const SECURITY_KINDS = ['sign_in_locked', 'email_changed'] as const;

/** A kind of buyer notification. */
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];
/** A kind of staff alert. */
export type StaffKind = (typeof STAFF_KINDS)[number];
/** Any kind of notification. */
export type NotificationKind = CustomerKind | StaffKind | (typeof SECURITY_KINDS)[number];

/**
 * The facts a notification is rendered from, kept on its row: ids, names, amounts in minor units
 * with `currency`, instants as ISO strings (named `…At`), percentages and counts as numbers.
 */
export type NotificationParams = Record<string, string | number | null>;

/** Kinds whose texts live in their feature's own catalog area (`devices.notify.<kind>`), not in `notifications`. */
const KIND_AREAS: Partial<Record<NotificationKind, string>> = {
  device_added: 'devices.notify',
  device_refused: 'devices.notify',
  never_connected: 'growth.notify',
  channel_unchecked: 'growth.notify',
  campaign_welcome: 'campaigns.notify',
  win_back: 'campaigns.notify',
  ticket_answered: 'support.notify',
  ticket_closed: 'support.notify',
  ticket_waiting: 'support.notify',
  gift_claimed: 'gifts.notify',
  gift_refunded: 'gifts.notify',
  renewal_refused_storefront: 'storefronts.notify',
  reimport_needed: 'kinds.notify',
};

/**
 * The catalog key of a kind's `name` (on the buyer's settings), `subject` or `text`: `notifications.names.<kind>` and
 * `notifications.kinds.<kind>.<part>`, or `<area>.<kind>.<part>` for a kind kept with its feature's strings.
 */
export function kindTextKey(kind: NotificationKind, part: 'name' | 'subject' | 'text'): string {
  const area = KIND_AREAS[kind];
  if (area !== undefined) return `${area}.${kind}.${part}`;
  return part === 'name' ? `notifications.names.${kind}` : `notifications.kinds.${kind}.${part}`;
}

/** Whether `value` names a buyer notification kind (one a buyer may turn off). */
export function isCustomerKind(value: string): value is CustomerKind {
  return (CUSTOMER_KINDS as readonly string[]).includes(value);
}

/** Whether `value` names any notification kind. */
export function isNotificationKind(value: string): value is NotificationKind {
  return (
    isCustomerKind(value) || (STAFF_KINDS as readonly string[]).includes(value) || (SECURITY_KINDS as readonly string[]).includes(value)
  );
}
