import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

export function errorPage(ctx: RequestContext, status: number, message: string): SafeHtml {
  return page(ctx, {
    title: ctx.t('errors.title'),
    body: html`<section class="card error-page"><h1>${ctx.t('errors.title')}</h1><p data-testid="error-message">${message}</p><p class="muted">${status}</p><p><a href="/">${ctx.t('nav.catalog')}</a></p></section>`,
  });
}
