import { roleMayUse } from '../app/auth/staff-roles.js';
import type { RequestContext } from '../http/context.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';
import { page } from './layout.js';

const SECTIONS = [
  ['/admin', 'admin.nav.overview'],
  ['/admin/panels', 'admin.nav.panels'],
  ['/admin/plans', 'admin.nav.plans'],
  ['/admin/orders', 'admin.nav.orders'],
  ['/admin/receipts', 'admin.nav.receipts'],
  ['/admin/customers', 'admin.nav.customers'],
  ['/admin/tickets', 'support.admin.nav'],
  ['/admin/audit', 'admin.nav.audit'],
  ['/admin/trials', 'trials.admin.nav'],
  ['/admin/guard', 'guard.admin.nav'],
  ['/admin/locations', 'locations.admin.nav'],
  ['/admin/deliveries', 'notifications.admin.link'],
  ['/admin/drift', 'admin.nav.drift'],
  ['/admin/dry-run', 'admin.nav.dryRun'],
  ['/admin/staff', 'staff.nav'],
  ['/admin/settings', 'settings.nav'],
  ['/admin/backup', 'backup.nav'],
  ['/admin/import', 'import.nav'],
  ['/admin/discounts', 'discounts.admin.title'],
  ['/admin/referrals', 'referrals.admin.title'],
  ['/admin/campaigns', 'campaigns.admin.title'],
  ['/admin/storefronts', 'storefronts.nav'],
] as const;

/** An admin page: the shop layout with the navigation to the admin sections the viewer's role may use above the content. */
export function adminPage(
  ctx: RequestContext,
  options: { title: string; body: HtmlValue; notice?: string | null; head?: HtmlValue },
): SafeHtml {
  const path = ctx.path.split('?')[0] ?? '';
  const role = ctx.viewer?.account.role ?? 'buyer';
  const current = (href: string) => (href === '/admin' ? path === '/admin' : path === href || path.startsWith(`${href}/`));
  return page(ctx, {
    title: options.title,
    wide: true,
    notice: options.notice ?? null,
    ...(options.head === undefined ? {} : { head: options.head }),
    body: html`<nav class="admin-nav" aria-label="${ctx.t('admin.nav.label')}">${SECTIONS.filter(([href]) =>
      roleMayUse(role, 'GET', href),
    ).map(([href, key]) => html`<a href="${href}" ${current(href) ? html`aria-current="page"` : ''}>${ctx.t(key)}</a>`)}</nav>
${options.body}`,
  });
}
