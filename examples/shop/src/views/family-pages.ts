import type { FamilyMember } from '../app/subscriptions/list-members.js';
import type { RequestContext } from '../http/context.js';
import { formatDate, formatNumber } from '../i18n/format.js';
import { memberName } from '../i18n/member-text.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { copyRow } from './subscription-page.js';

/** What the payer's family page shows. */
export interface FamilyView {
  groupId: string;
  title: string;
  /** How many members the plan allows. */
  maxMembers: number;
  /** The current members, in the order they joined, with the names the shop has for them. */
  members: readonly FamilyMember[];
  /** A fresh invite link and when it stops working, right after "Invite"; `null` otherwise (a token is shown once). */
  invite: { url: string; expiresAt: Date } | null;
  timeZone: string;
  notice: string | null;
}

/** The payer's family plan: who is in it (by when they joined; never a member's link), invite by a link, remove. */
export function familyPage(ctx: RequestContext, view: FamilyView): SafeHtml {
  const { t, locale } = ctx;
  const full = view.members.length >= view.maxMembers;
  return page(ctx, {
    title: t('ownSubscriptions.family.title', { name: view.title }),
    notice: view.notice,
    body: html`<h1>${t('ownSubscriptions.family.title', { name: view.title })}</h1>
<section class="card stack" data-testid="family">
  <p>${t('ownSubscriptions.family.help')}</p>
  <p data-testid="family-seats">${t('ownSubscriptions.family.seats', { used: formatNumber(view.members.length, locale), max: formatNumber(view.maxMembers, locale) })}</p>
  ${
    view.members.length === 0
      ? html`<p class="muted" data-testid="no-members">${t('ownSubscriptions.family.empty')}</p>`
      : html`<ol class="members">${view.members.map(
          (m, i) => html`<li data-testid="family-member" data-member-id="${m.subscriptionId}">
      <span data-testid="member-name">${t('familyNames.web', { name: memberName(m, i, t, locale), date: formatDate(m.joinedAt, locale, view.timeZone) })}</span>
      <a class="button small secondary" href="/subscriptions/${view.groupId}/members/${m.subscriptionId}/remove" data-testid="remove-member">${t('ownSubscriptions.family.remove')}</a>
    </li>`,
        )}</ol>`
  }
</section>
<section class="card stack" data-testid="family-invite">
  <h2>${t('ownSubscriptions.family.inviteTitle')}</h2>
  ${
    view.invite === null
      ? ''
      : html`<p role="status">${t('ownSubscriptions.family.inviteReady', { date: formatDate(view.invite.expiresAt, locale, view.timeZone) })}</p>
  ${copyRow(ctx, 'invite-url', view.invite.url, 'invite-url', t('ownSubscriptions.family.inviteLabel'))}`
  }
  ${
    full
      ? html`<p class="muted" data-testid="family-full">${t('sharing.reasons.group_full')}</p>`
      : html`<form method="post" action="/subscriptions/${view.groupId}/invites" data-testid="invite-form">
    ${csrfField(ctx)}
    <p class="muted">${t('ownSubscriptions.family.inviteHelp')}</p>
    <button type="submit">${t('ownSubscriptions.family.invite')}</button>
  </form>`
  }
</section>
<p><a href="/subscriptions/${view.groupId}">${t('ownSubscriptions.back')}</a></p>`,
  });
}

/** Asks the payer to confirm removing one member: their subscription ends and their link is refused at once. */
export function removeMemberPage(
  ctx: RequestContext,
  view: { groupId: string; memberId: string; title: string; memberName: string },
): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('ownSubscriptions.family.removeTitle'),
    body: html`<h1>${t('ownSubscriptions.family.removeTitle')}</h1>
<section class="card stack" data-testid="remove-member-confirm">
  <p data-testid="member-name"><strong>${t('familyNames.removing', { name: view.memberName })}</strong></p>
  <p>${t('ownSubscriptions.family.removeWarning', { name: view.title })}</p>
  <form method="post" action="/subscriptions/${view.groupId}/members/${view.memberId}/remove" class="stack">
    ${csrfField(ctx)}<input type="hidden" name="confirm" value="yes">
    <button type="submit" class="danger" data-testid="confirm-remove">${t('ownSubscriptions.family.removeConfirm')}</button>
  </form>
  <p><a href="/subscriptions/${view.groupId}/family">${t('ownSubscriptions.family.keep')}</a></p>
</section>`,
  });
}

/** The page an invite link opens for a signed-in buyer: what joining gives them, and the button that accepts. */
export function joinFamilyPage(ctx: RequestContext, view: { token: string }): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('ownSubscriptions.join.title'),
    body: html`<h1>${t('ownSubscriptions.join.title')}</h1>
<section class="card stack" data-testid="join-family">
  <p>${t('ownSubscriptions.join.help')}</p>
  <form method="post" action="/family/join" class="stack">
    ${csrfField(ctx)}<input type="hidden" name="token" value="${view.token}">
    <button type="submit" data-testid="accept-invite">${t('ownSubscriptions.join.accept')}</button>
  </form>
</section>`,
  });
}
