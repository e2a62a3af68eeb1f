/**
 * `@panelkit/sdk/request-headers`: one reader of a request's headers as Node (`IncomingHttpHeaders`) or the Fetch API
 * (`Headers`) give them, shared by the SDK's device checks, the payment providers' notification checks and the
 * subscription feed.
 *
 * @module
 */
export { headerValue, type RequestHeaders } from './devices/request-headers.js';
