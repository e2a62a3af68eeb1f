/**
 * Remnawave's error bodies as typed errors. The panel answers a refused request with
 * `{ timestamp, path, message, errorCode }` (`errorCode` from the contract's `ERRORS`: `A025` user not
 * found, `A019` username taken…), and a request that fails its zod schema with nestjs-zod's
 * `{ statusCode: 400, message: 'Validation failed', errors: [{ path, message, … }] }`.
 */
import { PanelConflictError, type PanelError, type PanelErrorContext, type ValidationIssue } from '@panelkit/sdk';
import { z } from 'zod';
import { errorForStatus } from '../http/index.js';
import type { PanelResponse } from '../http/index.js';

/** `ERRORS` codes the adapter acts on. */
export const REMNAWAVE_ERRORS = {
  USERNAME_TAKEN: 'A019',
  SHORT_UUID_TAKEN: 'A020',
  USER_NOT_FOUND: 'A025',
  USER_ALREADY_DISABLED: 'A029',
  USER_ALREADY_ENABLED: 'A030',
  USER_BY_UNIQUE_FIELDS_NOT_FOUND: 'A063',
} as const;

/** The duplicate-key codes of a create: the row exists already (or a credential is held by another user). */
const CONFLICT_CODES: ReadonlySet<string> = new Set([REMNAWAVE_ERRORS.USERNAME_TAKEN, REMNAWAVE_ERRORS.SHORT_UUID_TAKEN, 'A021']);

const CodedBodySchema = z.object({ message: z.union([z.string(), z.array(z.string())]), errorCode: z.string() });
const ValidationBodySchema = z.object({
  message: z.string(),
  errors: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])).default([]), message: z.string() })),
});

/** Longest message kept from a panel body: they are short, and nothing longer is trusted in logs. */
const MAX_MESSAGE = 300;

/** What a Remnawave error body says: its `errorCode` (or `null`), a short message and field issues. */
export interface RemnawaveErrorBody {
  readonly code: string | null;
  readonly message: string | null;
  readonly issues: readonly ValidationIssue[];
}

/** Reads an error body; fields are `null`/empty when the body is not one of the panel's shapes (a proxy's page). */
export function readErrorBody(response: PanelResponse): RemnawaveErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return { code: null, message: null, issues: [] };
  }
  const validation = ValidationBodySchema.safeParse(body);
  if (validation.success) {
    const issues = validation.data.errors.map((issue) => ({ path: issue.path.join('.'), message: issue.message.slice(0, MAX_MESSAGE) }));
    const text = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
    return { code: null, message: text || validation.data.message.slice(0, MAX_MESSAGE), issues };
  }
  const coded = CodedBodySchema.safeParse(body);
  if (!coded.success) return { code: null, message: null, issues: [] };
  const message = Array.isArray(coded.data.message) ? coded.data.message.join('; ') : coded.data.message;
  return { code: coded.data.errorCode, message: message.slice(0, MAX_MESSAGE), issues: [] };
}

/** The `errorCode` of an answer, or `null`. */
export function errorCodeOf(response: PanelResponse): string | null {
  return readErrorBody(response).code;
}

/**
 * The typed error for a non-2xx answer, with the panel's own text and code. A duplicate username or
 * short UUID (`A019`/`A020`/`A021`, sent as 400) is a `PanelConflictError`; other 400s are
 * `PanelRejectedError`s with the field issues.
 */
export function remnawaveError(response: PanelResponse, context: PanelErrorContext): PanelError {
  const { code, message, issues } = readErrorBody(response);
  const said = message === null ? '' : code === null ? message : `${message} (${code})`;
  if (code !== null && CONFLICT_CODES.has(code)) {
    return new PanelConflictError(`panel reports a conflict: ${said}`, { ...context, status: response.status });
  }
  return errorForStatus(response, context, { ...(said ? { message: said } : {}), issues });
}
