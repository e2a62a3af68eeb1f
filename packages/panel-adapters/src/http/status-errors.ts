/**
 * HTTP status → panelkit error taxonomy, shared by every adapter. Panels that answer 200 with an
 * envelope (3x-ui, S-UI) classify the envelope themselves and use these only for real statuses.
 */
import {
  PanelAuthError,
  PanelConflictError,
  PanelNotFoundError,
  PanelRateLimitError,
  PanelRejectedError,
  PanelResponseError,
  PanelServerError,
  PanelTimeoutError,
  type PanelError,
  type PanelErrorContext,
  type ValidationIssue,
} from '@panelkit/sdk';
import type { PanelResponse } from './types.js';

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The error for a non-2xx response. `message` is the panel's own short text when the caller could
 * read one (never a body dump); `issues` are field errors for 400/422.
 */
export function errorForStatus(
  response: PanelResponse,
  context: PanelErrorContext,
  detail: { message?: string; issues?: readonly ValidationIssue[] } = {},
): PanelError {
  const { status } = response;
  const ctx = { ...context, status };
  const said = detail.message ? `: ${detail.message}` : '';
  if (status === 401 || status === 403) return new PanelAuthError(`panel refused the credentials (${status})${said}`, ctx);
  if (status === 404) return new PanelNotFoundError(`not found on the panel${said}`, ctx);
  if (status === 408) return new PanelTimeoutError(`panel timed out the request${said}`, ctx);
  if (status === 409) return new PanelConflictError(`panel reports a conflict${said}`, ctx);
  if (status === 400 || status === 422) {
    return new PanelRejectedError(`panel rejected the request (${status})${said}`, ctx, detail.issues ?? []);
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new PanelRateLimitError(`panel is rate limiting${said}`, { ...ctx, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (status >= 500) return new PanelServerError(`panel failed with ${status}${said}`, ctx);
  return new PanelResponseError(`unexpected HTTP status ${status}${said}`, ctx);
}
