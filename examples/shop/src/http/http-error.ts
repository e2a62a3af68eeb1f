/** An answer the shop chose: a status and a message key (translated for the page or the JSON body). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** An i18n key, e.g. `errors.notFound`. */
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
    /** Per-field message keys, for forms and JSON clients. */
    readonly fields: Record<string, string> = {},
  ) {
    super(messageKey);
    this.name = 'HttpError';
  }
}
