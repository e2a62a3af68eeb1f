import type { RequestHeaders } from '@panelkit/sdk';

/**
 * A request's headers as a host has them: the SDK's `RequestHeaders` (a Fetch `Headers`, or a plain record such as
 * Node's `IncomingHttpHeaders`; names in any case, a repeated header as an array).
 */
export type WebhookHeaders = RequestHeaders;

/** The value of header `name` (lower case) in either shape, whatever the case of the record's keys; the first of a repeated one. */
export function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.[0];
  return undefined;
}
