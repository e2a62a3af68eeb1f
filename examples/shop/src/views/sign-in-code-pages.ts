import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** The code field every code form shares: six digits, the browser offered the one-time code from the mail. */
function codeField(ctx: RequestContext, errors?: FieldErrors): SafeHtml {
  return field({
    name: 'code',
    label: ctx.t('signin.code.label'),
    errors,
    required: true,
    autocomplete: 'one-time-code',
    attrs: html`inputmode="numeric" pattern="[0-9]{6}" maxlength="6"`,
  });
}

/** "Sign in with a code by e-mail": asks for the address. */
export function codeRequestPage(ctx: RequestContext, values: { email?: string; next?: string }, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('signin.code.title'),
    body: html`<section class="card"><h1>${t('signin.code.title')}</h1>
<p>${t('signin.code.intro')}</p>
<form method="post" action="/signin/code" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="next" value="${values.next ?? ''}">
  ${field({ name: 'email', type: 'email', label: t('auth.email'), value: values.email, errors, required: true, autocomplete: 'email' })}
  <button type="submit">${t('signin.code.send')}</button>
</form>
<p><a href="/signin">${t('signin.code.withPassword')}</a></p></section>`,
  });
}

/** Where the code goes in: the same answer whether or not the address has an account. */
export function codeEntryPage(ctx: RequestContext, values: { email: string; next?: string }, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('signin.code.title'),
    body: html`<section class="card"><h1>${t('signin.code.title')}</h1>
<p class="notice" role="status">${t('signin.code.sent', { email: values.email })}</p>
<form method="post" action="/signin/code/verify" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="next" value="${values.next ?? ''}">
  <input type="hidden" name="email" value="${values.email}">
  ${codeField(ctx, errors)}
  <button type="submit">${t('signin.code.submit')}</button>
</form>
<p><a href="/signin/code">${t('signin.code.again')}</a></p></section>`,
  });
}

/** An identity whose address is an existing account's (verified, or from Yandex ID / VK ID): the buyer proves that account theirs, or signs in to it. */
export function joinPage(
  ctx: RequestContext,
  values: { provider: string; maskedEmail: string; sent: boolean },
  errors?: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  const form = values.sent
    ? html`<p class="notice" role="status">${t('signin.join.sent', { email: values.maskedEmail })}</p>
<form method="post" action="/signin/join/confirm" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  ${codeField(ctx, errors)}
  <button type="submit">${t('signin.join.confirm')}</button>
</form>`
    : html`<form method="post" action="/signin/join/send" class="stack">${csrfField(ctx)}${formError(errors)}
  <button type="submit">${t('signin.join.send', { email: values.maskedEmail })}</button></form>`;
  return page(ctx, {
    title: t('signin.join.title'),
    body: html`<section class="card" data-testid="oidc-join"><h1>${t('signin.join.title')}</h1>
<p>${t('signin.join.intro', { provider: values.provider, email: values.maskedEmail })}</p>
${form}
<p class="muted">${t('signin.join.orSignIn', { provider: values.provider })}</p></section>`,
  });
}

/** A buyer without a real address (they came through Telegram) adds one, proven by a code sent there. */
export function addEmailPage(ctx: RequestContext, values: { email?: string; sent: boolean }, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  const body = values.sent
    ? html`<p class="notice" role="status">${t('signin.addEmail.sent', { email: values.email ?? '' })}</p>
<form method="post" action="/account/email/confirm" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="email" value="${values.email ?? ''}">
  ${codeField(ctx, errors)}
  <button type="submit">${t('signin.addEmail.confirm')}</button>
</form>`
    : html`<p>${t('signin.addEmail.intro')}</p>
<form method="post" action="/account/email" class="stack" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'email', type: 'email', label: t('auth.email'), value: values.email, errors, required: true, autocomplete: 'email' })}
  <button type="submit">${t('signin.addEmail.send')}</button>
</form>`;
  return page(ctx, {
    title: t('signin.addEmail.title'),
    body: html`<section class="card" data-testid="add-email"><h1>${t('signin.addEmail.title')}</h1>${body}</section>`,
  });
}

/** The other ways in on the sign-in page: a code by e-mail (when mail is set up) and each provider the owner set up. */
export function otherWaysIn(
  ctx: RequestContext,
  options: { codeSignIn: boolean; providers: readonly { id: string; label: string }[]; next?: string },
): SafeHtml | '' {
  const { t } = ctx;
  if (!options.codeSignIn && options.providers.length === 0) return '';
  const next = options.next ? `?next=${encodeURIComponent(options.next)}` : '';
  return html`<div class="stack" data-testid="other-ways-in"><p class="muted">${t('signin.otherWays')}</p>
${options.codeSignIn ? html`<a class="button secondary" href="/signin/code${next}">${t('signin.code.link')}</a>` : ''}
${options.providers.map((p) => html`<a class="button secondary" href="/signin/oidc/${encodeURIComponent(p.id)}${next}">${t('signin.withProvider', { provider: p.label })}</a>`)}
</div>`;
}
