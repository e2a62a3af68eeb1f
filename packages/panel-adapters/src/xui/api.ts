/**
 * One 3x-ui API call: send through `PanelHttp`, map HTTP statuses, read the `{success,msg,obj}`
 * envelope (HTTP 200 on failure), classify `msg` into the error taxonomy, and validate `obj`.
 * An empty 200 body is returned as `{ empty: true }` so that write paths can resolve the unknown
 * outcome by reading back; reads treat it as a bad response.
 */
import {
  PanelConflictError,
  PanelNotFoundError,
  PanelRejectedError,
  PanelResponseError,
  type PanelError,
  type PanelErrorContext,
} from '@panelkit/sdk';
import { PanelPoolExhaustedError } from '@panelkit/sdk/kinds';
import type { CallContext } from '@panelkit/sdk/adapter';
import type { z } from 'zod';
import { errorForStatus, parseJson, type PanelHttp, type PanelRequest } from '../http/index.js';
import { EnvelopeSchema } from './schemas.js';

export type CallResult<T> = { empty: false; obj: T; msg: string } | { empty: true };

/** Why the panel said `success:false`, from its (English, `lang=en-US`) message. */
export type XuiFailure = 'duplicate' | 'not_found' | 'last_client' | 'empty_client_id' | 'pool_exhausted' | 'other';

export function classifyMessage(msg: string): XuiFailure {
  if (/Duplicate email|email already in use|subId already in use/i.test(msg)) return 'duplicate';
  if (/no client remained/i.test(msg)) return 'last_client';
  if (/wireguard: no free address available/i.test(msg)) return 'pool_exhausted';
  if (/record not found|not found/i.test(msg)) return 'not_found';
  if (/empty client ID/i.test(msg)) return 'empty_client_id';
  return 'other';
}

/** The error for a `success:false` answer; `details.failure` says which kind. */
export function envelopeError(failure: XuiFailure, msg: string, context: PanelErrorContext): PanelError {
  const text = `3x-ui refused: ${msg.trim().slice(0, 200)}`;
  const details = { details: { failure } };
  switch (failure) {
    case 'duplicate':
      return new PanelConflictError(text, context, details);
    case 'not_found':
      return new PanelNotFoundError(text, context, details);
    case 'pool_exhausted':
      return new PanelPoolExhaustedError(text, context, details);
    default:
      return new PanelRejectedError(text, context, [], details);
  }
}

export function failureOf(error: unknown): XuiFailure | undefined {
  const details = (error as { details?: { failure?: XuiFailure } } | undefined)?.details;
  return details?.failure;
}

export class XuiApi {
  constructor(readonly http: PanelHttp) {}

  context(operation: string): PanelErrorContext {
    return this.http.context(operation);
  }

  /** Sends and reads the envelope; `success:false` throws the classified error. */
  async call<S extends z.ZodType>(request: PanelRequest, schema: S, ctx: CallContext): Promise<CallResult<z.output<S>>> {
    const context = this.http.context(request.operation, ctx.attempt === undefined ? {} : { attempt: ctx.attempt });
    const response = await this.http.send(request, ctx);
    if (response.status !== 200) throw errorForStatus(response, context);
    if (response.body.trim() === '') return { empty: true };
    const envelope = parseJson(response, EnvelopeSchema, context);
    const msg = envelope.msg ?? '';
    if (!envelope.success) throw envelopeError(classifyMessage(msg), msg, { ...context, status: 200 });
    const parsed = schema.safeParse(envelope.obj ?? null);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 10)
        .map((issue) => ({ path: ['obj', ...issue.path.map(String)].join('.'), message: issue.message }));
      throw new PanelResponseError('panel response does not match the expected shape', { ...context, status: 200 }, issues);
    }
    return { empty: false, obj: parsed.data as z.output<S>, msg };
  }

  /** A read: an empty body is a bad response, not an unknown outcome. */
  async read<S extends z.ZodType>(request: PanelRequest, schema: S, ctx: CallContext): Promise<z.output<S>> {
    const result = await this.call(request, schema, ctx);
    if (result.empty)
      throw new PanelResponseError('panel answered with an empty body', { ...this.http.context(request.operation), status: 200 });
    return result.obj;
  }
}
