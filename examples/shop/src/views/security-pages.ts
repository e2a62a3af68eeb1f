import type { SessionInfo } from '../db/sessions.js';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { formatDateTime } from '../i18n/format.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** The second step of signing in: a code from the authenticator app, or a recovery code. */
export function secondFactorPage(ctx: RequestContext, values: { next?: string }, errors?: FieldErrors, canRetry = true): SafeHtml {
  const { t } = ctx;
  if (!canRetry) {
    return page(ctx, {
      title: t('security.signInCode.title'),
      body: html`<section class="card"><h1>${t('security.signInCode.title')}</h1>${formError(errors)}<p><a href="/signin">${t('nav.signIn')}</a></p></section>`,
    });
  }
  return page(ctx, {
    title: t('security.signInCode.title'),
    body: html`<section class="card"><h1>${t('security.signInCode.title')}</h1>
<p class="muted">${t('security.signInCode.intro')}</p>
<form method="post" action="/signin/second-factor" class="stack" data-testid="second-factor-form" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="next" value="${values.next ?? ''}">
  ${field({ name: 'code', label: t('security.code'), errors, required: true, autocomplete: 'one-time-code', hint: t('security.codeHint'), attrs: html`inputmode="text" dir="ltr" maxlength="20"` })}
  <button type="submit">${t('security.signInCode.submit')}</button>
</form></section>`,
  });
}

/** Confirming who you are before a dangerous action: the password, or a code when a second factor is on. */
export function reauthPage(ctx: RequestContext, values: { next: string; hasTotp: boolean }, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('security.reauth.title'),
    body: html`<section class="card"><h1>${t('security.reauth.title')}</h1>
<p class="muted">${t('security.reauth.intro')}</p>
<form method="post" action="/account/reauth" class="stack" data-testid="reauth-form" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="next" value="${values.next}">
  ${field({ name: 'password', type: 'password', label: t('auth.password'), errors, autocomplete: 'current-password' })}
  ${values.hasTotp ? field({ name: 'code', label: t('security.reauth.orCode'), errors, autocomplete: 'one-time-code', attrs: html`dir="ltr" maxlength="20"` }) : ''}
  <button type="submit">${t('security.reauth.submit')}</button>
</form></section>`,
  });
}

export interface SecurityView {
  /** Present while a second factor is being set up: the QR (a `data:` URL drawn here) and the secret to type by hand. */
  enrolment: { qr: string; secret: string } | null;
  enabled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
  /** Recovery codes just made: shown this once. */
  newRecoveryCodes: string[] | null;
  sessions: SessionInfo[];
  currentSessionId: string | null;
  timeZone: string;
  notice: string | null;
  errors?: FieldErrors;
}

/** The account's security page: the TOTP second factor (enrolment with a QR, recovery codes) and the signed-in sessions. */
export function securityPage(ctx: RequestContext, view: SecurityView): SafeHtml {
  const { t, locale } = ctx;
  return page(ctx, {
    title: t('security.title'),
    notice: view.notice,
    body: html`<h1>${t('security.title')}</h1>
${view.required && !view.enabled ? html`<p class="error" role="alert" data-testid="totp-required">${t('security.requiredNotice')}</p>` : ''}
<section class="card" data-testid="totp-card">
  <h2>${t('security.totp.title')}</h2>
  ${
    view.enabled
      ? html`<p data-testid="totp-enabled">${t('security.totp.enabled')}</p><p class="muted">${t('security.totp.codesLeft', { count: view.recoveryCodesLeft })}</p>`
      : view.enrolment === null
        ? ''
        : html`<p>${t('security.totp.scan')}</p>
  <img src="${view.enrolment.qr}" alt="${t('security.totp.qrAlt')}" width="220" height="220" data-testid="totp-qr">
  <p class="muted">${t('security.totp.manual')} <code dir="ltr" data-testid="totp-secret">${view.enrolment.secret}</code></p>
  <form method="post" action="/account/security/totp" class="stack" data-testid="totp-confirm-form" novalidate>
    ${csrfField(ctx)}${formError(view.errors)}
    ${field({ name: 'code', label: t('security.code'), errors: view.errors, required: true, autocomplete: 'one-time-code', attrs: html`inputmode="numeric" dir="ltr" maxlength="6"` })}
    <button type="submit">${t('security.totp.confirm')}</button>
  </form>`
  }
  ${
    view.newRecoveryCodes === null
      ? ''
      : html`<div data-testid="recovery-codes"><h3>${t('security.recovery.title')}</h3><p class="error">${t('security.recovery.shownOnce')}</p>
  <ul dir="ltr">${view.newRecoveryCodes.map((code) => html`<li><code>${code}</code></li>`)}</ul></div>`
  }
</section>
<section class="card">
  <h2>${t('security.sessions.title')}</h2>
  <div class="table-wrap"><table>
    <thead><tr><th>${t('security.sessions.started')}</th><th>${t('security.sessions.browser')}</th><th></th></tr></thead>
    <tbody>${view.sessions.map(
      (s) => html`<tr data-testid="session-row" data-session-id="${s.id}">
      <td>${formatDateTime(s.createdAt, locale, view.timeZone)}${s.id === view.currentSessionId ? html` <strong>(${t('security.sessions.current')})</strong>` : ''}</td>
      <td dir="ltr">${s.userAgent ?? '—'}</td>
      <td><form method="post" action="/account/sessions/${s.id}/signout" class="inline">${csrfField(ctx)}<button type="submit" class="small danger">${t('security.sessions.signOut')}</button></form></td>
    </tr>`,
    )}</tbody>
  </table></div>
</section>`,
  });
}
