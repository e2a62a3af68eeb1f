/** Turning a Marzban-family response into data or a typed error. */
import type { PanelError, PanelErrorContext } from '@panelkit/sdk';
import type { z } from 'zod';
import { errorForStatus, parseJson } from '../http/index.js';
import type { PanelResponse } from '../http/index.js';
import { detailText, fieldIssues } from './error-detail.js';

export function isOk(response: PanelResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function bodyOf(response: PanelResponse): unknown {
  try {
    return JSON.parse(response.body);
  } catch {
    return undefined;
  }
}

/** The typed error for a non-2xx answer, with the panel's `detail` text and 422 field issues. */
export function errorOf(response: PanelResponse, context: PanelErrorContext): PanelError {
  const body = bodyOf(response);
  if (response.status === 400 || response.status === 422) {
    const issues = fieldIssues(body);
    const message = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
    return errorForStatus(response, context, { ...(message ? { message } : {}), issues });
  }
  const message = detailText(body);
  return errorForStatus(response, context, message ? { message } : {});
}

/** The validated body of a 2xx answer; any other status is its typed error. */
export function expectOk<S extends z.ZodType>(response: PanelResponse, schema: S, context: PanelErrorContext): z.output<S> {
  if (!isOk(response)) throw errorOf(response, context);
  return parseJson(response, schema, context);
}
