import type { FieldErrors } from '../app/input/forms.js';
import { html, type SafeHtml } from './html.js';

/** A labelled input with its error (if any) tied to it for screen readers. */
export function field(options: {
  name: string;
  label: string;
  type?: string;
  value?: string | number | null;
  errors?: FieldErrors;
  required?: boolean;
  autocomplete?: string;
  attrs?: SafeHtml;
  hint?: string;
  /** The input's id when a page has two forms with a field of one name (default `f-<name>`). */
  id?: string;
}): SafeHtml {
  const error = options.errors?.[options.name];
  const id = options.id ?? `f-${options.name}`;
  return html`<label for="${id}">${options.label}
  <input id="${id}" name="${options.name}" type="${options.type ?? 'text'}" value="${options.value ?? ''}" ${options.required ? html`required` : ''} ${options.autocomplete ? html`autocomplete="${options.autocomplete}"` : ''} ${error ? html`aria-invalid="true" aria-describedby="${id}-error"` : ''} ${options.attrs ?? ''}>
  ${options.hint ? html`<small class="muted">${options.hint}</small>` : ''}
  ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
</label>`;
}

/** The form-wide error (`_form`), if any. */
export function formError(errors: FieldErrors | undefined): SafeHtml | '' {
  const message = errors?.['_form'];
  return message ? html`<p class="error" role="alert">${message}</p>` : '';
}
