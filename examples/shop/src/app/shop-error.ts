/**
 * What kind of refusal a use case gave. Each channel chooses how to show it: the web and the JSON API
 * answer with an HTTP status ({@link httpStatusOf} in `http/status.ts`), the bot with a message.
 */
export type ShopErrorCode =
  | 'invalid_input'
  | 'sign_in_required'
  | 'insufficient_funds'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media'
  | 'too_many_requests'
  | 'internal'
  | 'unavailable';

/**
 * A refusal the shop chose, typed by its code, with a message key (translated by the channel that shows
 * it) and per-field message keys for forms and JSON clients. The one error every use case throws for
 * something the caller can fix or should know; anything else is the shop's fault.
 */
export class ShopError extends Error {
  constructor(
    readonly code: ShopErrorCode,
    /** An i18n key, e.g. `errors.notFound`. */
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
    /** Per-field message keys, for forms and JSON clients. */
    readonly fields: Record<string, string> = {},
  ) {
    super(messageKey);
    this.name = 'ShopError';
  }
}
