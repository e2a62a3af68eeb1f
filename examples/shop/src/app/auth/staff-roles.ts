import type { AccountRole } from '../../db/accounts.js';

/** What a staff route needs: `owner` (an account with role `admin`) or `support` (support staff and owners alike). */
export type StaffLevel = 'owner' | 'support';

/** One back-office route (Express path syntax) and the least role that may use it. */
export interface StaffRouteRule {
  method: 'GET' | 'POST';
  path: string;
  level: StaffLevel;
}

/**
 * Every back-office route and who may use it. Support staff look after customers, receipts, orders,
 * subscriptions and support tickets (answer, close; deleting a ticket is the owner's); panels, plans, deliveries, drift, the audit log and staff are the owner's. A route missing here
 * is the owner's alone (the check fails closed), and the access test walks the app's router so none is forgotten.
 */
export const STAFF_ROUTES: readonly StaffRouteRule[] = [
  { method: 'GET', path: '/admin', level: 'support' },
  { method: 'GET', path: '/admin/customers', level: 'support' },
  { method: 'GET', path: '/admin/customers/:id', level: 'support' },
  { method: 'POST', path: '/admin/customers/:id/adjust', level: 'support' },
  { method: 'POST', path: '/admin/customers/:id/subscription-link/rotate', level: 'support' },
  { method: 'POST', path: '/admin/customers/:id/password-reset', level: 'support' },
  { method: 'POST', path: '/admin/customers/:id/devices/reset', level: 'support' },
  { method: 'GET', path: '/admin/receipts', level: 'support' },
  { method: 'GET', path: '/admin/receipts/:id/image', level: 'support' },
  { method: 'POST', path: '/admin/receipts/bulk-approve', level: 'support' },
  { method: 'POST', path: '/admin/receipts/bulk-approve/confirm', level: 'support' },
  { method: 'POST', path: '/admin/receipts/:id/:action', level: 'support' },
  { method: 'GET', path: '/admin/orders', level: 'support' },
  { method: 'GET', path: '/admin/orders/:id', level: 'support' },
  { method: 'POST', path: '/admin/orders/:id/refund', level: 'owner' },
  { method: 'GET', path: '/admin/subscriptions/:id', level: 'support' },
  { method: 'POST', path: '/admin/subscriptions/:id/:operation', level: 'support' },
  { method: 'POST', path: '/admin/jobs/:id/retry', level: 'support' },
  { method: 'GET', path: '/admin/panels', level: 'owner' },
  { method: 'GET', path: '/admin/panels/new', level: 'owner' },
  { method: 'POST', path: '/admin/panels', level: 'owner' },
  { method: 'GET', path: '/admin/panels/:id', level: 'owner' },
  { method: 'GET', path: '/admin/panels/:id/edit', level: 'owner' },
  { method: 'POST', path: '/admin/panels/:id/edit', level: 'owner' },
  { method: 'POST', path: '/admin/panels/:id/test', level: 'owner' },
  { method: 'POST', path: '/admin/panels/:id/enabled', level: 'owner' },
  { method: 'POST', path: '/admin/panels/:id/sync', level: 'owner' },
  { method: 'GET', path: '/admin/panels/:id/targets/:targetId', level: 'owner' },
  { method: 'POST', path: '/admin/panels/:id/targets/:targetId', level: 'owner' },
  { method: 'GET', path: '/admin/plans', level: 'owner' },
  { method: 'GET', path: '/admin/plans/new', level: 'owner' },
  { method: 'POST', path: '/admin/plans', level: 'owner' },
  { method: 'GET', path: '/admin/plans/:id/edit', level: 'owner' },
  { method: 'POST', path: '/admin/plans/:id/edit', level: 'owner' },
  { method: 'POST', path: '/admin/plans/:id/apply-terms', level: 'owner' },
  { method: 'GET', path: '/admin/audit', level: 'owner' },
  { method: 'GET', path: '/admin/trials', level: 'owner' },
  { method: 'GET', path: '/admin/figures.csv', level: 'owner' },
  { method: 'GET', path: '/admin/guard', level: 'support' },
  { method: 'POST', path: '/admin/guard/cases/:id/lift', level: 'support' },
  { method: 'POST', path: '/admin/guard/policy', level: 'owner' },
  { method: 'GET', path: '/admin/locations', level: 'owner' },
  { method: 'POST', path: '/admin/locations', level: 'owner' },
  { method: 'GET', path: '/admin/deliveries', level: 'owner' },
  { method: 'POST', path: '/admin/deliveries/:id/retry', level: 'owner' },
  { method: 'GET', path: '/admin/drift', level: 'owner' },
  { method: 'POST', path: '/admin/drift/repair', level: 'owner' },
  { method: 'GET', path: '/admin/dry-run', level: 'owner' },
  { method: 'GET', path: '/admin/settings', level: 'owner' },
  { method: 'POST', path: '/admin/settings', level: 'owner' },
  { method: 'GET', path: '/admin/settings/link', level: 'owner' },
  { method: 'POST', path: '/admin/settings/link', level: 'owner' },
  { method: 'POST', path: '/admin/settings/link/apps', level: 'owner' },
  { method: 'GET', path: '/admin/settings/growth', level: 'owner' },
  { method: 'POST', path: '/admin/settings/growth', level: 'owner' },
  { method: 'GET', path: '/admin/settings/gifts', level: 'owner' },
  { method: 'POST', path: '/admin/settings/gifts', level: 'owner' },
  { method: 'GET', path: '/admin/settings/payments', level: 'owner' },
  { method: 'POST', path: '/admin/settings/payments', level: 'owner' },
  { method: 'GET', path: '/admin/settings/sign-in', level: 'owner' },
  { method: 'POST', path: '/admin/settings/sign-in', level: 'owner' },
  { method: 'POST', path: '/admin/settings/sign-in/:id/remove', level: 'owner' },
  { method: 'POST', path: '/admin/payments/:id/refund-stars', level: 'owner' },
  { method: 'POST', path: '/admin/payments/:id/refund-gateway', level: 'owner' },
  { method: 'GET', path: '/admin/backup', level: 'owner' },
  { method: 'POST', path: '/admin/backup', level: 'owner' },
  { method: 'GET', path: '/admin/staff', level: 'owner' },
  { method: 'POST', path: '/admin/staff', level: 'owner' },
  { method: 'POST', path: '/admin/staff/:id/demote', level: 'owner' },
  { method: 'POST', path: '/admin/staff/:id/reset-2fa', level: 'owner' },
  { method: 'GET', path: '/admin/discounts', level: 'owner' },
  { method: 'POST', path: '/admin/discounts', level: 'owner' },
  { method: 'POST', path: '/admin/discounts/:id/disabled', level: 'owner' },
  { method: 'GET', path: '/admin/referrals', level: 'owner' },
  { method: 'POST', path: '/admin/referrals', level: 'owner' },
  { method: 'GET', path: '/admin/campaigns', level: 'owner' },
  { method: 'POST', path: '/admin/campaigns', level: 'owner' },
  { method: 'POST', path: '/admin/campaigns/:slug', level: 'owner' },
  { method: 'GET', path: '/admin/customers/:id/reseller', level: 'owner' },
  { method: 'POST', path: '/admin/customers/:id/reseller', level: 'owner' },
  { method: 'GET', path: '/admin/storefronts', level: 'owner' },
  { method: 'POST', path: '/admin/storefronts', level: 'owner' },
  { method: 'POST', path: '/admin/storefronts/move-buyer', level: 'owner' },
  { method: 'GET', path: '/admin/storefronts/:id', level: 'owner' },
  { method: 'POST', path: '/admin/storefronts/:id/status', level: 'owner' },
  { method: 'POST', path: '/admin/storefronts/:id/quotas', level: 'owner' },
  { method: 'POST', path: '/admin/storefronts/:id/bot', level: 'owner' },
  { method: 'POST', path: '/admin/storefronts/:id/brand', level: 'owner' },
  { method: 'POST', path: '/admin/storefronts/:id/address', level: 'owner' },
  { method: 'GET', path: '/admin/payouts', level: 'owner' },
  { method: 'POST', path: '/admin/payouts/:id/approve', level: 'owner' },
  { method: 'POST', path: '/admin/payouts/:id/paid', level: 'owner' },
  { method: 'POST', path: '/admin/payouts/:id/refuse', level: 'owner' },
  { method: 'GET', path: '/admin/panels/:id/evacuate', level: 'owner' },
  { method: 'POST', path: '/admin/panels/:id/evacuate', level: 'owner' },
  { method: 'GET', path: '/admin/import', level: 'owner' },
  { method: 'POST', path: '/admin/import', level: 'owner' },
  { method: 'GET', path: '/admin/import/:id', level: 'owner' },
  { method: 'GET', path: '/admin/tickets', level: 'support' },
  { method: 'GET', path: '/admin/tickets/:id', level: 'support' },
  { method: 'GET', path: '/admin/tickets/:id/messages/:messageId/picture', level: 'support' },
  { method: 'POST', path: '/admin/tickets/:id/answer', level: 'support' },
  { method: 'POST', path: '/admin/tickets/:id/close', level: 'support' },
  { method: 'POST', path: '/admin/tickets/:id/delete', level: 'owner' },
];

/** Roles that sign in to the back office (and so owe a second factor when `STAFF_TOTP` requires it). */
export function isStaffRole(role: AccountRole): boolean {
  return role === 'admin' || role === 'support';
}

function patternOf(path: string): RegExp {
  const escaped = path.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')));
  return new RegExp(`^${escaped.join('/')}/?$`);
}

const COMPILED = STAFF_ROUTES.map((rule) => ({ rule, pattern: patternOf(rule.path) }));

/** The rule for a request (a HEAD is a GET), or `null` when the route is not in the table. */
export function staffRuleFor(method: string, path: string): StaffRouteRule | null {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  // Literal segments win over parameters (`/admin/panels/new` before `/admin/panels/:id`): the fewest parameters first.
  const matches = COMPILED.filter(({ rule, pattern }) => rule.method === verb && pattern.test(path));
  matches.sort((a, b) => a.rule.path.split(':').length - b.rule.path.split(':').length);
  return matches[0]?.rule ?? null;
}

/** Whether an account with `role` may use the route: owners everything, support staff their rules, others nothing. */
export function roleMayUse(role: AccountRole, method: string, path: string): boolean {
  if (role === 'admin') return true;
  if (role !== 'support') return false;
  return staffRuleFor(method, path)?.level === 'support';
}

/** Whether the overview shows `role` the shop's money (revenue and sales charts): owners only, like the ledger's totals. */
export function seesSalesFigures(role: AccountRole): boolean {
  return role === 'admin';
}
