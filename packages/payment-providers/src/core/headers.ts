import type { RequestHeaders } from '@panelkit/sdk';
import { headerValue } from '@panelkit/sdk/request-headers';

/**
 * A request's headers as a host has them: the SDK's `RequestHeaders` (a Fetch `Headers`, or a plain record such as
 * Node's `IncomingHttpHeaders`; names in any case, a repeated header as an array).
 */
export type WebhookHeaders = RequestHeaders;

/** The value of header `name` in either shape, whatever the case of the record's keys; the first of a repeated one (the SDK's `headerValue`). */
export const headerOf: (headers: WebhookHeaders, name: string) => string | undefined = headerValue;
