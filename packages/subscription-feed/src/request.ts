import type { RequestHeaders } from '@panelkit/sdk';

/** A request to a buyer's link as any HTTP framework hands it over: the method and the headers. */
export interface FeedRequest {
  /** `GET` or `HEAD` (anything else gets 405). */
  readonly method: string;
  /** A fetch `Headers`, or Node's / Express's header record (names lower-case). */
  readonly headers: RequestHeaders;
}

/** The answer to send: status, headers (names lower-case) and body (empty for `HEAD`). */
export interface FeedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One header of the request (the first value of a repeated one), or `undefined`. */
export function headerOf(request: FeedRequest, name: string): string | undefined {
  const { headers } = request;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name.toLowerCase()];
  return typeof value === 'string' ? value : value?.[0];
}
