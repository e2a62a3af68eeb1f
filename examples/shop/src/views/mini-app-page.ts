import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

/**
 * The page Telegram opens as the shop's Mini App. `/assets/miniapp.js` (the shop's own script) reads the launch
 * data Telegram gives the page and posts it to `endpoint`, then goes on to `next`. Without the script, or outside
 * Telegram, the page says how to sign in instead; the messages the script shows are on the page, in the buyer's
 * language, hidden until needed. A buyer outside the owner's required channel is shown its join button and a button
 * that signs in again (the same launch data) once they joined.
 */
export function miniAppPage(ctx: RequestContext, options: { endpoint: string; next: string }): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('miniapp.page.title'),
    body: html`<section class="card stack" data-mini-app-sign-in data-endpoint="${options.endpoint}" data-next="${options.next}">
  <h1>${ctx.shopName}</h1>
  <p data-state="working" hidden role="status">${t('miniapp.page.signingIn')}</p>
  <p data-state="failed" hidden role="alert" class="error"><span data-message>${t('miniapp.page.failed')}</span></p>
  <div data-state="channel" hidden>
    <p role="alert" data-channel-message></p>
    <p><a class="button" data-join href="https://t.me/" hidden>${t('growth.channel.join')}</a></p>
    <p><button type="button" data-check>${t('growth.channel.done')}</button></p>
  </div>
  <div data-state="outside">
    <p>${t('miniapp.page.outsideTelegram')}</p>
    <p><a class="button" href="/signin?next=${encodeURIComponent(options.next)}">${t('miniapp.page.signInLink')}</a></p>
  </div>
</section>`,
  });
}
