/**
 * The S-UI token API (`{webPath}apiv2/<action>`), one call at a time: the `Token` header, the
 * `{success,msg,obj}` envelope (always HTTP 200, even for a bad token), and the only write path,
 * the form-encoded `POST apiv2/save` with `object`, `action`, `data=<JSON string>`.
 *
 * Envelope failures are classified by the panel's message (`api/utils.go jsonMsgObj`: the context,
 * `": "`, then the Go error, often with a trailing newline from `fmt.Sprintln`).
 */
import {
  PanelAuthError,
  PanelNotFoundError,
  PanelRejectedError,
  PanelResponseError,
  PanelServerError,
  PanelUnsupportedError,
  type PanelError,
  type PanelErrorContext,
  type ValidationIssue,
} from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import type { z } from 'zod';
import { errorForStatus, parseJson, type PanelHttp, type PanelResponse, type QueryValue } from '../http/index.js';
import { SuiEnvelopeSchema, SuiSaveClientsResultSchema, type SuiSaveClientsResult } from './schemas.js';

/** Marks an envelope refusal, so callers can tell "the panel said record not found" from HTTP 404. */
export const SUI_RECORD_NOT_FOUND = 'sui.record_not_found';

export class SuiApi {
  readonly #http: PanelHttp;

  constructor(http: PanelHttp) {
    this.#http = http;
  }

  /** `GET apiv2/<action>`: the envelope's `obj`, validated. */
  async get<S extends z.ZodType>(
    operation: string,
    action: string,
    query: Record<string, QueryValue>,
    schema: S,
    ctx: CallContext,
  ): Promise<z.output<S>> {
    const response = await this.#http.send({ operation, method: 'GET', path: `apiv2/${action}`, query }, ctx);
    return this.#unwrap(response, schema, this.#context(operation, ctx));
  }

  /**
   * `POST apiv2/save` for `object=clients`. Answers every client (list rows) and, when inbounds
   * were touched, every inbound summary.
   */
  async saveClients(operation: string, action: string, data: unknown, ctx: CallContext): Promise<SuiSaveClientsResult> {
    const response = await this.#http.send(
      {
        operation,
        method: 'POST',
        path: 'apiv2/save',
        form: { object: 'clients', action, data: JSON.stringify(data) },
      },
      ctx,
    );
    return this.#unwrap(response, SuiSaveClientsResultSchema, this.#context(operation, ctx));
  }

  #context(operation: string, ctx: CallContext): PanelErrorContext {
    return this.#http.context(operation, ctx.attempt === undefined ? {} : { attempt: ctx.attempt });
  }

  #unwrap<S extends z.ZodType>(response: PanelResponse, schema: S, context: PanelErrorContext): z.output<S> {
    if (response.status < 200 || response.status >= 300) throw errorForStatus(response, context);
    const envelope = parseJson(response, SuiEnvelopeSchema, context);
    if (!envelope.success) throw envelopeError(envelope.msg, { ...context, status: response.status });
    const parsed = schema.safeParse(envelope.obj);
    if (parsed.success) return parsed.data;
    const issues: ValidationIssue[] = parsed.error.issues.slice(0, 10).map((issue) => ({
      path: ['obj', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    throw new PanelResponseError('panel response does not match the expected shape', { ...context, status: response.status }, issues);
  }
}

/** The panel's message, trimmed of its `": "` prefix and newline, bounded in length. */
function panelMessage(msg: string): string {
  return msg
    .replace(/^[\s:]+/, '')
    .replace(/\s+$/, '')
    .replace(/\s+/g, ' ')
    .slice(0, 160);
}

/** An envelope with `success:false` as a typed error. Exported for tests. */
export function envelopeError(msg: string, context: PanelErrorContext): PanelError {
  const said = panelMessage(msg);
  const details = { panelMessage: said };
  if (/invalid token/i.test(msg)) {
    // A static token: there is no session to renew, so no second attempt can succeed.
    return new PanelAuthError('the panel refused the API token', context, { details });
  }
  if (/^invalid login$/i.test(said)) return new PanelAuthError('the panel session is not logged in', context, { details });
  if (/record not found/i.test(msg)) {
    return new PanelNotFoundError(`the panel has no such record (${said})`, context, {
      details: { ...details, reason: SUI_RECORD_NOT_FOUND },
    });
  }
  if (/unknown (action|object)/i.test(msg)) {
    return new PanelUnsupportedError(`this S-UI version does not know the request (${said})`, context, { details });
  }
  if (/JSON|unmarshal|invalid character/i.test(msg)) {
    return new PanelRejectedError(`the panel could not read the request (${said})`, context, [], { details });
  }
  return new PanelServerError(`the panel failed (${said})`, context, { details });
}

/** Whether an error is the panel's own "record not found" answer (not an HTTP 404). */
export function isRecordNotFound(error: unknown): boolean {
  return PanelNotFoundError.is(error) && (error.details as { reason?: unknown } | undefined)?.reason === SUI_RECORD_NOT_FOUND;
}
