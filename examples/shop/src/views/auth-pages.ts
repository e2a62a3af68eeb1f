import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { otherWaysIn } from './sign-in-code-pages.js';

export function signUpPage(
  ctx: RequestContext,
  values: { email?: string; ref?: string; campaign?: string },
  errors?: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('auth.signUp.title'),
    body: html`<section class="card"><h1>${t('auth.signUp.title')}</h1>
<form method="post" action="/signup" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  ${values.ref ? html`<input type="hidden" name="ref" value="${values.ref}">` : ''}
  ${values.campaign ? html`<input type="hidden" name="c" value="${values.campaign}">` : ''}
  ${field({ name: 'email', type: 'email', label: t('auth.email'), value: values.email, errors, required: true, autocomplete: 'email' })}
  ${field({ name: 'password', type: 'password', label: t('auth.password'), errors, required: true, autocomplete: 'new-password', hint: t('auth.passwordHint') })}
  <button type="submit">${t('auth.signUp.submit')}</button>
</form>
<p>${t('auth.signUp.haveAccount')} <a href="/signin">${t('nav.signIn')}</a></p></section>`,
  });
}

export function signInPage(
  ctx: RequestContext,
  values: {
    email?: string;
    next?: string;
    notice?: string | null;
    /** Whether "sign in with a code by e-mail" is offered (mail is set up). */
    codeSignIn?: boolean;
    /** The sign-in providers the owner set up. */
    providers?: readonly { id: string; label: string }[];
  },
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
${otherWaysIn(ctx, { codeSignIn: values.codeSignIn ?? false, providers: values.providers ?? [], next: values.next })}
<p><a href="/forgot-password">${t('credentials.forgot.link')}</a></p>
<p>${t('auth.signIn.noAccount')} <a href="/signup">${t('nav.signUp')}</a></p></section>`,
  });
}
