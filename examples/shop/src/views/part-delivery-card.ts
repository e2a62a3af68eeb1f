import type { Subscription } from '@panelkit/sdk';
import { kindAppsFor } from '@panelkit/subscription-feed';
import type { PartDelivery, TelegramPartDelivery, WireGuardPartDelivery } from '../app/kinds/part-delivery.js';
import type { RequestContext } from '../http/context.js';
import { kindName } from '../i18n/kind-text.js';
import { html, type SafeHtml } from './html.js';
import { copyRow } from './subscription-page.js';

/** What a page shows of a part that is not delivered through the subscription link (WireGuard, AmneziaWG, Telegram). */
export interface PartDeliveryView {
  readonly sub: Pick<Subscription, 'id' | 'kind'>;
  /** How the buyer takes it; `null` while it has no usable link (being set up). */
  readonly delivery: PartDelivery | null;
  /** A `data:` QR (a WireGuard conf's text, a Telegram proxy's https link); `null` when none is drawn. */
  readonly qr: string | null;
  /** The zip of every config under the same link, when it serves more than one. */
  readonly zipUrl: string | null;
}

/** The apps that import a part of this kind, with where to get each. */
function appsLine(ctx: RequestContext, kind: PartDelivery['kind']): SafeHtml {
  return html`<p class="muted" data-testid="part-apps">${ctx.t('kinds.buyer.apps')}: ${kindAppsFor(kind).map(
    (app, i) => html`${i > 0 ? ', ' : ''}<a href="${app.getAt}" rel="noopener noreferrer" data-app="${app.id}">${app.name}</a>`,
  )}</p>`;
}

function configBlock(ctx: RequestContext, view: PartDeliveryView, d: WireGuardPartDelivery, compact: boolean): SafeHtml {
  const { t } = ctx;
  const buttons = html`<p class="actions"><a class="button" href="${d.url}" download="${d.fileName}" data-testid="download-config">${t('kinds.buyer.downloadConfig')}</a>
  ${view.zipUrl !== null ? html`<a class="button secondary" href="${view.zipUrl}" download data-testid="download-configs-zip">${t('kinds.buyer.allConfigs')}</a>` : ''}</p>`;
  if (compact) return buttons;
  return html`<p>${t('kinds.buyer.configHelp')}</p>
${buttons}
${d.kind === 'amneziawg' ? html`<p class="muted" data-testid="amnezia-note">${t('kinds.buyer.amneziaNote')}</p>` : ''}
${view.qr !== null ? html`<p><img class="qr" src="${view.qr}" alt="${t('kinds.buyer.configQrAlt')}" data-testid="config-qr" width="260" height="260"></p><p class="muted">${t('kinds.buyer.configQrHelp')}</p>` : ''}
<details data-testid="config-text"><summary>${t('kinds.buyer.configText')}</summary><pre dir="ltr">${d.text}</pre></details>
${appsLine(ctx, d.kind)}`;
}

function telegramBlock(ctx: RequestContext, view: PartDeliveryView, d: TelegramPartDelivery, compact: boolean): SafeHtml {
  const { t } = ctx;
  const open = html`<p class="actions"><a class="button" href="${d.https}" rel="noopener noreferrer" data-testid="open-telegram-proxy">${t('kinds.buyer.openTelegram')}</a></p>`;
  const copy = copyRow(ctx, `tg-link-${view.sub.id}`, d.tg, 'telegram-proxy-link', t('kinds.buyer.telegramLink'));
  if (compact) return html`${open}${copy}`;
  return html`<p>${t('kinds.buyer.telegramHelp')}</p>
${open}${copy}
${view.qr !== null ? html`<p><img class="qr" src="${view.qr}" alt="${t('kinds.buyer.telegramQrAlt')}" data-testid="telegram-proxy-qr" width="220" height="220"></p>` : ''}
${appsLine(ctx, d.kind)}`;
}

/**
 * How the buyer takes a WireGuard/AmneziaWG or Telegram part: "Download config" (the feed's `.conf` route), "All
 * configs (zip)" when the link serves several, the conf's text as a QR the WireGuard app scans (not for AmneziaWG,
 * whose app reads its own QR format), the text, and the apps; or "Open in Telegram", the `tg://` link to copy and its
 * QR. `compact` (a dashboard card) keeps the buttons and the link only.
 */
export function partDeliveryBlock(ctx: RequestContext, view: PartDeliveryView, options: { compact?: boolean } = {}): SafeHtml {
  const compact = options.compact === true;
  const d = view.delivery;
  const body =
    d === null
      ? html`<p class="muted" data-testid="part-not-ready">${ctx.t('kinds.buyer.notReady')}</p>`
      : d.form === 'wireguard_config'
        ? configBlock(ctx, view, d, compact)
        : telegramBlock(ctx, view, d, compact);
  return html`<div class="part-delivery" data-testid="part-delivery" data-kind="${view.sub.kind}" data-subscription-id="${view.sub.id}">${body}</div>`;
}

/** The part's kind as a badge ("WireGuard"), beside its name where parts of several kinds are listed. */
export function kindBadge(ctx: RequestContext, sub: Pick<Subscription, 'kind'>): SafeHtml {
  return html`<span class="badge" data-testid="part-kind" data-kind="${sub.kind}">${kindName(sub.kind, ctx.t)}</span>`;
}
