import type { Target } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { kindName } from '../../i18n/kind-text.js';
import { html, type SafeHtml } from '../html.js';

/** A target's kinds as small badges (what a client placed there gets). */
export function targetKindBadges(ctx: RequestContext, target: Pick<Target, 'kinds'>): SafeHtml {
  return html`<span data-testid="target-kinds" data-kinds="${target.kinds.join(' ')}">${target.kinds.map((kind) => html`<span class="badge">${kindName(kind, ctx.t)}</span> `)}</span>`;
}
