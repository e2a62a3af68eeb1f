import { afterEach, beforeEach, describe, expect } from 'vitest';
import type { CallContext, ClientSpec, PanelAdapter, TargetRef } from '../../ports/panel.js';
import { ManualClock } from '../manual-clock.js';
import { addressesSuite } from './addresses.js';
import { concurrencySuite } from './concurrency.js';
import { devicesSuite } from './devices.js';
import { faultsSuite } from './faults.js';
import type { PanelFactoryContext, PanelTestControls, PanelUnderTest } from './harness.js';
import { idempotencySuite } from './idempotency.js';
import { kindsSuite } from './kinds/index.js';
import { lifecycleSuite } from './lifecycle.js';
import { linksSuite } from './links.js';
import { listingSuite } from './listing.js';
import { createRecordingLogger } from './recording-logger.js';
import type { RecordingLogger } from './recording-logger.js';
import { sessionSuite } from './session.js';
import { DAY, GIB, inFuture, nextIdentity, redact } from './support.js';
import type { PanelSuiteEnv } from './support.js';
import { fullName } from '../task-name.js';
import { assertSupportedVitest } from '../vitest-support.js';

export type {
  FaultScope,
  PanelFactoryContext,
  PanelFault,
  PanelSessionKind,
  PanelTestControls,
  PanelTestDevice,
  PanelUnderTest,
} from './harness.js';
export type { RecordedLogLine, RecordingLogger } from './recording-logger.js';
export { createRecordingLogger } from './recording-logger.js';
export { connectionPart, credentialPart, linksFingerprint } from './links.js';

/** Options of `describePanelAdapter`. */
export interface DescribePanelAdapterOptions {
  /** Skip the whole suite; a string is the reason, shown in the suite's name. */
  skip?: boolean | string;
  /** Per-test timeout in ms (default 60 000: a bound for a hang, not a measure of speed; a loaded machine is slow). */
  testTimeoutMs?: number;
  /**
   * How long a call whose request hangs may take: the fault tests' `CallContext.signal` aborts after it, as
   * the engine's `panelCallTimeoutMs` does (the adapter's one timeout). Default 1 000; those tests wait it out.
   */
  callTimeoutMs?: number;
  /** How long any other call may take before its signal aborts (default 15 000: generous for a loaded machine). */
  slowCallTimeoutMs?: number;
}

interface Current {
  panel: PanelUnderTest;
  clock: ManualClock;
  logger: RecordingLogger;
  clientSecrets: string[];
  sequence: number;
}

/**
 * The panel conformance suite: every promise `PanelAdapter` makes, as tests, run against a real
 * (usually simulated) panel. Each test gets a fresh panel and adapter from `factory` with a fresh
 * `ManualClock` and a recording logger, and is cleaned up afterwards. Tests branch on
 * `adapter.capabilities`, never on `kind`.
 *
 * The adapter makes one attempt per call (the engine retries); a hanging request ends with the call
 * context's signal, which the fault tests time out after `callTimeoutMs`.
 *
 * An adapter that provisions kinds besides `xray` (`capabilities.kinds`) also runs the per-kind cases (`kind:
 * wireguard`, …: create and read back, links, idempotency, pool, bad input, keys that never move, lifecycle,
 * listing) on the target the factory gives for each (`targets: { wireguard: … }`); the optional controls
 * `fillPool`, `peerAddresses` and `canConnect` sharpen them. An Xray-only adapter skips them.
 *
 * ```ts
 * describePanelAdapter('s-ui', async ({ clock, logger }) => {
 *   const sim = createSuiSimulator({ clock, token: TOKEN, webPath: '/app/' });
 *   const server = await serveOnLocalhost(sim.handle);
 *   const adapter = createSuiAdapter({ baseUrl: `${server.origin}/app/`, auth: { token: TOKEN }, logger });
 *   const [target] = await adapter.listTargets({ signal: new AbortController().signal, idempotencyKey: 'setup' });
 *   return { adapter, target: target!, controls: sim, secrets: [TOKEN], sessionKind: 'static-token', cleanup: () => server.close() };
 * });
 * ```
 */
export function describePanelAdapter(
  name: string,
  factory: (ctx: PanelFactoryContext) => Promise<PanelUnderTest>,
  options: DescribePanelAdapterOptions = {},
): void {
  assertSupportedVitest('describePanelAdapter');
  const { skip } = options;
  const skipped = skip === true || typeof skip === 'string';
  const title = typeof skip === 'string' ? `panel adapter: ${name} (skipped: ${skip})` : `panel adapter: ${name}`;

  describe.skipIf(skipped)(title, { timeout: options.testTimeoutMs ?? 60_000 }, () => {
    let current: Current | undefined;
    const now = (): Current => {
      if (current === undefined) throw new Error('the panel is only available inside a test');
      return current;
    };

    const env: PanelSuiteEnv = {
      get panel(): PanelUnderTest {
        return now().panel;
      },
      get adapter(): PanelAdapter {
        return now().panel.adapter;
      },
      get target(): TargetRef {
        return now().panel.target;
      },
      get controls(): PanelTestControls {
        return now().panel.controls;
      },
      get clock(): ManualClock {
        return now().clock;
      },
      get logger(): RecordingLogger {
        return now().logger;
      },
      ctx(timeout: 'short' | 'long' = 'long'): CallContext {
        const state = now();
        state.sequence += 1;
        const timeoutMs = timeout === 'short' ? (options.callTimeoutMs ?? 1_000) : (options.slowCallTimeoutMs ?? 15_000);
        return {
          signal: AbortSignal.timeout(timeoutMs),
          idempotencyKey: `conformance-${state.sequence}`,
          attempt: 1,
          logger: state.logger,
        };
      },
      spec(overrides: Partial<ClientSpec> = {}): ClientSpec {
        const state = now();
        const identity = overrides.identity ?? nextIdentity();
        // The uuid also counts as 32 bare hex digits: panels reuse it in that form as a key.
        state.clientSecrets.push(identity.uuid, identity.uuid.replaceAll('-', ''), identity.password, identity.subId, identity.ssKey);
        if (identity.wireguard !== undefined) state.clientSecrets.push(identity.wireguard.privateKey);
        if (identity.mtproto !== undefined) state.clientSecrets.push(identity.mtproto.secretCore);
        const { capabilities } = state.panel.adapter;
        return {
          identity,
          expiry: { type: 'at', at: inFuture(state.clock, 30 * DAY) },
          trafficLimitBytes: 10 * GIB,
          deviceLimit: capabilities.deviceLimit ? 2 : null,
          enabled: true,
          note: 'panelkit conformance',
          ...overrides,
        };
      },
      secrets(): readonly string[] {
        const state = now();
        return [...(state.panel.secrets ?? []), ...state.clientSecrets].filter((secret) => secret.length > 0);
      },
    };

    beforeEach(async (context) => {
      const clock = new ManualClock();
      const logger = createRecordingLogger();
      const panel = checkPanelUnderTest(await factory({ clock, logger, testName: fullName(context.task) }));
      current = { panel, clock, logger, clientSecrets: [], sequence: 0 };
    });

    afterEach(async () => {
      const done = current;
      if (done === undefined) return;
      try {
        // Nothing the adapter logged during the test may hold a secret.
        const secrets = env.secrets();
        for (const text of done.logger.texts()) {
          const leaked = secrets.filter((secret) => text.includes(secret));
          expect(leaked.length, `a log line holds ${leaked.length} secret(s): ${redact(text, secrets).slice(0, 300)}`).toBe(0);
        }
      } finally {
        current = undefined;
        done.panel.controls.clearFaults();
        await done.panel.cleanup?.();
      }
    });

    lifecycleSuite(env);
    linksSuite(env);
    listingSuite(env);
    devicesSuite(env);
    addressesSuite(env);
    idempotencySuite(env);
    concurrencySuite(env);
    faultsSuite(env);
    sessionSuite(env);
    kindsSuite(env);
  });
}

/** What the factory gave, refused with a message that names the missing part instead of a `TypeError` in every test. */
function checkPanelUnderTest(panel: PanelUnderTest | undefined): PanelUnderTest {
  const missing = (part: string, hint: string) =>
    new Error(`describePanelAdapter's factory must return { adapter, target, controls }: ${part} is missing (${hint})`);
  if (typeof panel !== 'object' || panel === null) throw missing('everything', `it returned ${String(panel)}`);
  if (typeof panel.adapter !== 'object' || panel.adapter === null) throw missing('adapter', 'the PanelAdapter under test');
  if (typeof panel.target !== 'object' || panel.target === null) {
    throw missing('target', 'a target clients can be created on, e.g. the first of await adapter.listTargets(ctx)');
  }
  if (typeof panel.controls !== 'object' || panel.controls === null) {
    throw missing('controls', "the simulator's PanelTestControls: faults, login count, clearing sessions");
  }
  return panel;
}
