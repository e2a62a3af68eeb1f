import { expect } from 'vitest';
import type { EntitlementKind } from '../../domain/entitlement.js';
import { deriveRemoteIdentity } from '../../domain/remote-identity.js';
import {
  PanelAuthError,
  PanelConflictError,
  PanelError,
  PanelNotFoundError,
  PanelOutcomeUnknownError,
  PanelPoolExhaustedError,
  PanelUnsupportedError,
  PanelRateLimitError,
  PanelRejectedError,
  PanelResponseError,
  PanelTimeoutError,
} from '../../errors.js';
import type {
  CallContext,
  ClientListPage,
  ClientRef,
  ClientSpec,
  Expiry,
  PanelAdapter,
  RemoteClient,
  TargetRef,
} from '../../ports/panel.js';
import { DAY_MS } from '../../rules/time.js';
import type { ManualClock } from '../manual-clock.js';
import { describePanelError, expectRejection } from '../rejection.js';
import type { PanelTestControls, PanelUnderTest } from './harness.js';
import type { RecordingLogger } from './recording-logger.js';

/**
 * What every panel suite reads at test time. The getters throw outside a test, so a suite cannot
 * capture a panel across tests by accident.
 */
export interface PanelSuiteEnv {
  readonly panel: PanelUnderTest;
  readonly adapter: PanelAdapter;
  readonly target: TargetRef;
  readonly controls: PanelTestControls;
  readonly clock: ManualClock;
  readonly logger: RecordingLogger;
  /**
   * A fresh call context (new idempotency key) for one logical operation. Its signal aborts after the
   * suite's `callTimeoutMs` when `timeout` is `'short'` (a test that waits out a hanging request), else
   * after `slowCallTimeoutMs`.
   */
  ctx(timeout?: 'short' | 'long'): CallContext;
  /** A valid spec for a new client with a unique identity; its credentials join the checked secrets. */
  spec(overrides?: Partial<ClientSpec>): ClientSpec;
  /** Every string no error or log line may hold: the factory's secrets and the clients' credentials. */
  secrets(): readonly string[];
}

export const GIB = 1024 ** 3;
export const DAY = DAY_MS;
const IDENTITY_SECRET = 'panel-conformance-identity-secret';
let identitySequence = 0;

/** A subscription id unique per call across the whole run (a panel may be shared by factories), to derive identities from. */
export function nextSubscriptionId(): string {
  identitySequence += 1;
  return `conformance-${process.pid.toString(36)}-${identitySequence}`;
}

/** The identity of subscription `id` at `generation` for a `kind` client: one username per id, credentials per generation. */
export function identityOf(id: string, generation: number, kind: EntitlementKind = 'xray'): ClientSpec['identity'] {
  return deriveRemoteIdentity(id, generation, { secret: IDENTITY_SECRET, prefix: 'pkt' }, kind);
}

/** A unique identity per call across the whole run (a panel may be shared by factories). */
export function nextIdentity(): ClientSpec['identity'] {
  return identityOf(nextSubscriptionId(), 0);
}

/** `ms` after the clock's time, rounded down to a whole second (every panel keeps seconds). */
export function inFuture(clock: ManualClock, ms: number): Date {
  const at = clock.now().getTime() + ms;
  return new Date(at - (at % 1000));
}

/** A ref that only carries what the engine always knows: the target and the username. */
export function bareRef(target: TargetRef, username: string): ClientRef {
  return { target, username };
}

export function expectExpiry(actual: Expiry, expected: Expiry): void {
  if (expected.type === 'at') {
    expect(actual.type, `expiry type (got ${JSON.stringify(actual)})`).toBe('at');
    if (actual.type === 'at') expect(actual.at.getTime()).toBe(expected.at.getTime());
  } else {
    expect(actual).toEqual(expected);
  }
}

/** The fields of `spec` a panel must give back unchanged. */
export function expectMatchesSpec(client: RemoteClient, spec: ClientSpec, deviceLimitSupported: boolean): void {
  expect(client.ref.username).toBe(spec.identity.username);
  expect(client.enabled).toBe(spec.enabled);
  expectExpiry(client.expiry, spec.expiry);
  expect(client.trafficLimitBytes).toBe(spec.trafficLimitBytes);
  if (deviceLimitSupported) expect(client.deviceLimit).toBe(spec.deviceLimit);
}

/** Follows `nextCursor` until it is null, failing if the pages never end. */
export async function listAll(
  env: PanelSuiteEnv,
  limit?: number,
  maxPages = 10_000,
): Promise<{ items: RemoteClient[]; pages: ClientListPage[] }> {
  const items: RemoteClient[] = [];
  const pages: ClientListPage[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const request: { cursor: string | null; limit?: number } = { cursor };
    if (limit !== undefined) request.limit = limit;
    const page = await env.adapter.listClients(request, env.ctx());
    pages.push(page);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    expect(page.nextCursor, 'a cursor must move forward').not.toBe(cursor);
    cursor = page.nextCursor;
  }
  throw new Error(`listClients did not end after ${maxPages} pages`);
}

export async function findListed(env: PanelSuiteEnv, username: string): Promise<RemoteClient | undefined> {
  const { items } = await listAll(env);
  return items.find((item) => item.ref.username === username);
}

/** Every text an error carries that may end up in a log: its JSON and the messages down its cause chain. */
function errorTexts(error: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = error; e !== undefined && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof Error) texts.push(e.message);
    else texts.push(String(e));
    try {
      texts.push(JSON.stringify(e) ?? '');
    } catch {
      // A cause that cannot be serialised is not logged as JSON either.
    }
    if (typeof e !== 'object') break;
  }
  return texts;
}

/** {@link describePanelError} with the secrets replaced, for failure messages. */
export function describeSafely(env: PanelSuiteEnv, error: unknown): string {
  return redact(describePanelError(error), env.secrets());
}

/** `text` with every secret replaced, so that a failure message does not print them. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('[SECRET]'), text);
}

/** Asserts no secret appears in `error` (its JSON, its message, its causes' messages). */
export function expectNoSecretsInError(env: PanelSuiteEnv, error: unknown): void {
  const secrets = env.secrets();
  for (const text of errorTexts(error)) {
    const leaked = secrets.filter((secret) => text.includes(secret)).length;
    expect(leaked, `an error holds ${leaked} secret(s): ${redact(text, secrets).slice(0, 300)}`).toBe(0);
  }
}

const PANEL_ERROR_KINDS = {
  PanelError: (e: unknown) => PanelError.is(e),
  PanelNotFoundError: (e: unknown) => PanelNotFoundError.is(e),
  PanelConflictError: (e: unknown) => PanelConflictError.is(e),
  PanelResponseError: (e: unknown) => PanelResponseError.is(e),
  PanelTimeoutError: (e: unknown) => PanelTimeoutError.is(e),
  PanelAuthError: (e: unknown) => PanelAuthError.is(e),
  PanelRateLimitError: (e: unknown) => PanelRateLimitError.is(e),
  PanelOutcomeUnknownError: (e: unknown) => PanelOutcomeUnknownError.is(e),
  PanelRejectedError: (e: unknown) => PanelRejectedError.is(e),
  PanelPoolExhaustedError: (e: unknown) => PanelPoolExhaustedError.is(e),
  PanelUnsupportedError: (e: unknown) => PanelUnsupportedError.is(e),
} as const;
export type PanelErrorKind = keyof typeof PANEL_ERROR_KINDS;

/**
 * Awaits `promise`, asserts it rejected with a panel error of `kind` whose `retryable` is as given
 * and which holds no secret, and returns it.
 */
export async function expectPanelError(
  env: PanelSuiteEnv,
  promise: Promise<unknown>,
  kind: PanelErrorKind,
  retryable: boolean,
): Promise<PanelError> {
  const error = (await expectRejection(promise, kind, PANEL_ERROR_KINDS[kind], (e) => describeSafely(env, e))) as PanelError;
  expect(error.retryable, `${describeSafely(env, error)}: retryable`).toBe(retryable);
  expectNoSecretsInError(env, error);
  return error;
}

/**
 * Runs an operation whose outcome may be reported as unknown (a lost response). It either
 * resolves, or rejects with a retryable panel error; in that case it is run once more, as the
 * engine would with the same idempotency key, and must then resolve.
 */
export async function settleUnknownOutcome<T>(env: PanelSuiteEnv, run: (ctx: CallContext) => Promise<T>): Promise<T> {
  const ctx = env.ctx();
  try {
    return await run(ctx);
  } catch (error) {
    expect(PanelError.is(error), `expected a PanelError, got ${describeSafely(env, error)}`).toBe(true);
    expect((error as PanelError).retryable, `${describeSafely(env, error)} must be retryable: the write may have happened`).toBe(true);
    expectNoSecretsInError(env, error);
    return run({ ...ctx, attempt: (ctx.attempt ?? 1) + 1 });
  }
}

/** Creates one client and returns it. */
export async function createOne(env: PanelSuiteEnv, spec: ClientSpec = env.spec()): Promise<RemoteClient> {
  const created = await env.adapter.createClients(env.target, [spec], env.ctx());
  expect(created).toHaveLength(1);
  return created[0]!;
}

/** Reads a client that must exist. */
export async function getExisting(env: PanelSuiteEnv, ref: ClientRef): Promise<RemoteClient> {
  const client = await env.adapter.getClient(ref, env.ctx());
  expect(client, `client ${ref.username} should exist`).not.toBeNull();
  return client!;
}
