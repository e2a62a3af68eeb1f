import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

export function signUpPage(ctx: RequestContext, values: { email?: string; ref?: string }, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('auth.signUp.title'),
    body: html`<section class="card"><h1>${t('auth.signUp.title')}</h1>
<form method="post" action="/signup" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  ${values.ref ? html`<input type="hidden" name="ref" value="${values.ref}">` : ''}
  ${field({ name: 'email', type: 'email', label: t('auth.email'), value: values.email, errors, required: true, autocomplete: 'email' })}
  ${field({ name: 'password', type: 'password', label: t('auth.password'), errors, required: true, autocomplete: 'new-password', hint: t('auth.passwordHint') })}
  <button type="submit">${t('auth.signUp.submit')}</button>
</form>
<p>${t('auth.signUp.haveAccount')} <a href="/signin">${t('nav.signIn')}</a></p></section>`,
  });
}

export function signInPage(
  ctx: RequestContext,
  values: { email?: string; next?: string; notice?: string | null },
  errors?: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('auth.signIn.title'),
    notice: values.notice ?? null,
    body: html`<section class="card"><h1>${t('auth.signIn.title')}</h1>
<form method="post" action="/signin" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="next" value="${values.next ?? ''}">
  ${field({ name: 'email', type: 'email', label: t('auth.email'), value: values.email, errors, required: true, autocomplete: 'email' })}
  ${field({ name: 'password', type: 'password', label: t('auth.password'), errors, required: true, autocomplete: 'current-password' })}
  <button type="submit">${t('auth.signIn.submit')}</button>
</form>
<p><a href="/forgot-password">${t('credentials.forgot.link')}</a></p>
<p>${t('auth.signIn.noAccount')} <a href="/signup">${t('nav.signUp')}</a></p></section>`,
  });
}
