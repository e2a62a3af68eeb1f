import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { adminPage } from './admin-layout.js';
import { csrfField, page } from './layout.js';

/** "Forgot password?": asks for the email; `sent` shows the same answer whether or not it has an account. */
export function forgotPasswordPage(ctx: RequestContext, values: { email?: string; sent?: boolean }, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  const sent = values.sent === true ? html`<p class="notice" role="status">${t('credentials.forgot.sent')}</p>` : '';
  return page(ctx, {
    title: t('credentials.forgot.title'),
    body: html`<section class="card"><h1>${t('credentials.forgot.title')}</h1>${sent}
<p>${t('credentials.forgot.intro')}</p>
<form method="post" action="/forgot-password" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'email', type: 'email', label: t('auth.email'), value: values.email, errors, required: true, autocomplete: 'email' })}
  <button type="submit">${t('credentials.forgot.submit')}</button>
</form>
<p><a href="/signin">${t('nav.signIn')}</a></p></section>`,
  });
}

/** The form behind a reset link, or (when `usable` is false) why the link no longer works. */
export function resetPasswordPage(ctx: RequestContext, token: string, usable: boolean, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  const body = usable
    ? html`<form method="post" action="/reset-password/${token}" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'password', type: 'password', label: t('credentials.newPassword'), errors, required: true, autocomplete: 'new-password', hint: t('auth.passwordHint') })}
  <button type="submit">${t('credentials.reset.submit')}</button>
</form>`
    : html`<p class="field-error" role="alert">${t('credentials.reset.unusable')}</p><p><a href="/forgot-password">${t('credentials.forgot.title')}</a></p>`;
  return page(ctx, {
    title: t('credentials.reset.title'),
    body: html`<section class="card"><h1>${t('credentials.reset.title')}</h1>${body}</section>`,
  });
}

/** The buyer's sign-in details: change the password, change the email. */
export function credentialsPage(
  ctx: RequestContext,
  data: { email: string; notice: string | null },
  errors: { password?: FieldErrors; email?: FieldErrors } = {},
): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('credentials.title'),
    notice: data.notice,
    body: html`<section class="card"><h1>${t('credentials.title')}</h1>
<h2>${t('credentials.password.title')}</h2>
<form method="post" action="/account/password" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors.password)}
  ${field({ name: 'current', type: 'password', label: t('credentials.currentPassword'), errors: errors.password, required: true, autocomplete: 'current-password' })}
  ${field({ name: 'password', type: 'password', label: t('credentials.newPassword'), errors: errors.password, required: true, autocomplete: 'new-password', hint: t('auth.passwordHint') })}
  <button type="submit">${t('credentials.password.submit')}</button>
</form>
<h2>${t('credentials.email.title')}</h2>
<p>${t('credentials.email.current', { email: data.email })}</p>
<form method="post" action="/account/email" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors.email)}
  ${field({ name: 'email', type: 'email', label: t('credentials.email.new'), errors: errors.email, required: true, autocomplete: 'email' })}
  ${field({ name: 'password', type: 'password', label: t('credentials.currentPassword'), errors: errors.email, required: true, autocomplete: 'current-password' })}
  <button type="submit">${t('credentials.email.submit')}</button>
</form></section>`,
  });
}

/** The link an admin just issued for a buyer (shown this once). */
export function resetLinkIssuedPage(ctx: RequestContext, view: { customerId: string; email: string; link: string }): SafeHtml {
  const { t } = ctx;
  return adminPage(ctx, {
    title: t('credentials.admin.issue'),
    body: html`<h1>${t('credentials.admin.issue')}</h1><section class="card"><p>${view.email}</p>
<p>${t('credentials.admin.issued')}</p><p><code data-testid="reset-link">${view.link}</code></p>
<p><a href="/admin/customers/${encodeURIComponent(view.customerId)}">${t('credentials.admin.back')}</a></p></section>`,
  });
}

/** The button on an admin's customer page that issues a reset link. */
export function issueResetForm(ctx: RequestContext, customerId: string): SafeHtml {
  return html`<form method="post" action="/admin/customers/${encodeURIComponent(customerId)}/password-reset" data-testid="admin-password-reset">
  ${csrfField(ctx)}<button type="submit" class="small secondary">${ctx.t('credentials.admin.issue')}</button>
</form>`;
}
