import { PanelResponseError, type PanelErrorContext, type ValidationIssue } from '@panelkit/sdk';
import type { z } from 'zod';
import type { PanelResponse } from './types.js';

/**
 * Parses a response body as JSON and validates it. Failures are `PanelResponseError`s that name
 * the paths and the expectation, never the values (a body may hold credentials).
 */
export function parseJson<S extends z.ZodType>(response: PanelResponse, schema: S, context: PanelErrorContext): z.output<S> {
  const value = readJson(response, context);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.slice(0, 10).map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new PanelResponseError('panel response does not match the expected shape', { ...context, status: response.status }, issues);
}

/** The body as JSON, or a `PanelResponseError` saying what came instead (HTML, empty, junk). */
export function readJson(response: PanelResponse, context: PanelErrorContext): unknown {
  const ctx = { ...context, status: response.status };
  if (response.body.trim() === '') throw new PanelResponseError('panel answered with an empty body', ctx);
  try {
    return JSON.parse(response.body);
  } catch {
    const kind = looksLikeHtml(response) ? 'HTML' : 'a body that is not JSON';
    throw new PanelResponseError(`panel answered with ${kind}`, ctx, [], {
      details: { contentType: response.headers.get('content-type'), length: response.body.length },
    });
  }
}

/** Whether a response is an HTML page (a login page, a proxy's error page) rather than the JSON an API call expects. */
export function looksLikeHtml(response: PanelResponse): boolean {
  const type = response.headers.get('content-type') ?? '';
  return type.includes('text/html') || /^\s*<(!doctype|html)/i.test(response.body);
}
