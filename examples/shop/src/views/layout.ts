import { isStaffRole } from '../app/auth/staff-roles.js';
import type { RequestContext } from '../http/context.js';
import { directionOf, LOCALES, localeInfo } from '../i18n/locales.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';
import { shopFooter } from './footer.js';
import { storefrontSuspendedNotice } from './storefront-banner.js';

export interface PageOptions {
  title: string;
  body: HtmlValue;
  /** A message key shown once at the top (e.g. after a redirect), from `?done=`. */
  notice?: string | null;
  /** Extra `<head>` markup (e.g. a meta refresh while something is pending). */
  head?: HtmlValue;
  /** Wide pages (the back office's tables and charts) use the width of a desktop screen instead of a reading column. */
  wide?: boolean;
}

function navLink(ctx: RequestContext, href: string, label: string): SafeHtml {
  const current = ctx.path === href || (href !== '/' && ctx.path.startsWith(`${href}/`)) || ctx.path.startsWith(`${href}?`);
  return html`<a href="${href}" ${current ? html`aria-current="page"` : ''}>${label}</a>`;
}

/**
 * The language switch: the current language's name, opening a list of every language the shop speaks, each named in
 * itself (a reader finds their own whatever the page is in). Plain links (`/lang/…`), no script needed.
 */
function languageSwitch(ctx: RequestContext): SafeHtml {
  const next = encodeURIComponent(ctx.path);
  return html`<details class="lang" data-testid="language-switch">
    <summary lang="${ctx.locale}"><span aria-hidden="true">🌐</span> ${localeInfo(ctx.locale).name}</summary>
    <ul>${LOCALES.map(
      (l) =>
        html`<li><a href="/lang/${l}?next=${next}" hreflang="${l}" lang="${l}" dir="${directionOf(l)}" ${l === ctx.locale ? html`aria-current="true"` : ''}>${localeInfo(l).name}</a></li>`,
    )}</ul>
  </details>`;
}

/** The hidden field every form carries. */
export function csrfField(ctx: RequestContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

/** The full document: language and direction, navigation, the page, and the language switch. */
export function page(ctx: RequestContext, options: PageOptions): SafeHtml {
  const { t, viewer } = ctx;
  return html`<!doctype html>
<html lang="${ctx.locale}" dir="${directionOf(ctx.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${ctx.shopName}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/shop.css">
<script src="/assets/shop.js" defer></script>
<script src="/assets/miniapp.js" defer></script>
${options.head}
</head>
<body>
<header class="top">
  <a class="brand" href="/">${ctx.shopName}</a>
  <nav aria-label="${t('nav.label')}">
    ${navLink(ctx, '/', t('nav.catalog'))}
    ${viewer !== null && html`${navLink(ctx, '/dashboard', t('nav.dashboard'))}${navLink(ctx, '/wallet', t('nav.wallet'))}${navLink(ctx, '/referrals', t('nav.referrals'))}${navLink(ctx, '/gifts', t('nav.gifts'))}${navLink(ctx, '/support', t('nav.support'))}`}
    ${viewer !== null && isStaffRole(viewer.account.role) && navLink(ctx, '/admin', t('nav.admin'))}
  </nav>
  <div class="account">
    ${languageSwitch(ctx)}
    ${
      viewer === null
        ? html`<a href="/signin">${t('nav.signIn')}</a> <a class="button small" href="/signup">${t('nav.signUp')}</a>`
        : html`<form method="post" action="/signout" class="inline">${csrfField(ctx)}<button class="link" type="submit">${t('nav.signOut')}</button></form>`
    }
  </div>
</header>
<main${options.wide ? html` class="wide"` : ''}>
${storefrontSuspendedNotice(ctx)}
${options.notice ? html`<p class="notice" role="status">${t(options.notice)}</p>` : ''}
${options.body}
</main>
${shopFooter(ctx)}
</body>
</html>`;
}
