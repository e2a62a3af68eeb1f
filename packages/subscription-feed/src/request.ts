import type { RequestHeaders } from '@panelkit/sdk';
import { headerValue } from '@panelkit/sdk/request-headers';

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

/** One header of the request (the first value of a repeated one, names in any case), or `undefined`. */
export function headerOf(request: FeedRequest, name: string): string | undefined {
  return headerValue(request.headers, name);
}
