import type { RequestContext } from '../http/context.js';
import { supportHref } from './footer.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

/** Which "what to do next" an answer gets: the statuses a buyer meets, grouped by what helps. */
function nextStepKey(status: number, signedIn: boolean): string {
  if (status === 401 || (status === 403 && !signedIn)) return 'errors.next.signIn';
  if (status === 403) return 'errors.next.forbidden';
  if (status === 404) return 'errors.next.notFound';
  if (status === 429) return 'errors.next.wait';
  if (status >= 500) return 'errors.next.later';
  return 'errors.next.back';
}

/** The error page: what went wrong, what to do next, and links out (home, the buyer's pages, sign-in, support). */
export function errorPage(ctx: RequestContext, status: number, message: string): SafeHtml {
  const { t } = ctx;
  const signedIn = ctx.viewer !== null;
  const support = ctx.footer?.supportContact ?? null;
  return page(ctx, {
    title: t('errors.title'),
    body: html`<section class="card error-page" data-status="${status}"><h1>${t('errors.title')}</h1>
<p data-testid="error-message">${message}</p>
<p data-testid="error-next">${t(nextStepKey(status, signedIn))}</p>
<p class="error-links">
  <a class="button small" href="/" data-testid="error-home">${t('errors.links.home')}</a>
  ${signedIn ? html`<a class="button small secondary" href="/dashboard">${t('errors.links.dashboard')}</a>` : html`<a class="button small secondary" href="/signin">${t('errors.links.signIn')}</a>`}
  ${support !== null && status >= 500 ? html`<a class="button small secondary" href="${supportHref(support)}" data-testid="error-support">${t('errors.links.support')}</a>` : ''}
</p>
<p class="muted">${t('errors.code', { status })}</p></section>`,
  });
}
