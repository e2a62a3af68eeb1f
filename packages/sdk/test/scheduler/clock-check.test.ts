import { createMemoryStorage } from '@panelkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { createPanelkit, silentLogger } from '../../src/index.js';
import type { Logger, Panelkit } from '../../src/index.js';
import type { EngineContext } from '../../src/engine/context.js';
import { resolvePolicy } from '../../src/engine/policy.js';
import { PanelkitEventBus } from '../../src/events.js';
import { CLOCK_RECHECK_MS, ClockCheck } from '../../src/scheduler/clock-check.js';
import type { StoragePort } from '../../src/storage.js';
import { ManualClock } from '../../src/testing/index.js';
import { IDENTITY } from '../engine/harness.js';

const MINUTE = 60_000;

/** An offset measured over a real round trip: the test's clocks stand still, so it is off by at most half the trip. */
const about = (ms: number) => expect.closeTo(ms, -3);
const START = '2026-03-01T00:00:30.000Z';

/** A logger that keeps its error lines. */
function recordingLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    error: (bindings: Record<string, unknown> | string, message?: string) =>
      void errors.push(typeof bindings === 'string' ? bindings : (message ?? '')),
    child: () => logger,
  };
  return { logger, errors };
}

/** `storage` with its `ticks.now` calls counted. */
function countingNow(storage: StoragePort): { storage: StoragePort; asked: () => number } {
  let asked = 0;
  const ticks = storage.ticks;
  const counted: StoragePort = Object.create(storage, {
    ticks: { value: { tryAcquire: ticks.tryAcquire, now: () => (asked++, ticks.now()) } },
  });
  return { storage: counted, asked: () => asked };
}

/** One storage on the true clock; a replica (kit) on a clock of its own, which a test may set off. */
function replicaOn(storage: StoragePort, clock: ManualClock, logger: Logger = silentLogger): Panelkit {
  return createPanelkit({
    storage,
    clock,
    logger,
    panels: () => {
      throw new Error('no panels in this test');
    },
    policy: { identity: IDENTITY },
  });
}

describe('a replica whose clock is off the storage’s', () => {
  it('refuses every tick while its clock is ten minutes ahead or behind, logs an error once, and emits an event each time', async () => {
    const storageClock = new ManualClock(START);
    const storage = createMemoryStorage({ clock: storageClock });
    for (const offset of [10 * MINUTE, -10 * MINUTE]) {
      const replicaClock = new ManualClock(storageClock.now().getTime() + offset);
      const { logger, errors } = recordingLogger();
      const kit = replicaOn(storage, replicaClock, logger);
      const skewed: number[] = [];
      kit.events.on('scheduler:clock_skewed', (e) => void skewed.push(e.offsetMs));
      const scheduler = kit.createScheduler();
      for (let i = 0; i < 3; i++) {
        const report = await scheduler.tick();
        expect(report).toMatchObject({ won: false, refused: { reason: 'clock_off', offsetMs: about(offset) }, usage: null });
      }
      expect(skewed).toEqual([about(offset), about(offset), about(offset)]);
      expect(errors).toHaveLength(1);
      // It asked for no slot: an honest replica wins the current one.
      expect((await replicaOn(storage, storageClock).createScheduler().tick()).won).toBe(true);
      storageClock.advance(MINUTE);
    }
  });

  it('a replica ahead would otherwise take the slots from the honest ones: they win theirs while it is refused', async () => {
    const storageClock = new ManualClock(START);
    const storage = createMemoryStorage({ clock: storageClock });
    const ahead = replicaOn(storage, new ManualClock(storageClock.now().getTime() + 10 * MINUTE)).createScheduler();
    const honest = replicaOn(storage, storageClock).createScheduler();
    for (let i = 0; i < 3; i++) {
      expect((await ahead.tick()).refused).not.toBeNull();
      expect((await honest.tick()).won).toBe(true);
      storageClock.advance(MINUTE);
    }
  });

  it('ticks again as soon as its clock is back, and says so', async () => {
    const storageClock = new ManualClock(START);
    const storage = createMemoryStorage({ clock: storageClock });
    const replicaClock = new ManualClock(storageClock.now().getTime() + 10 * MINUTE);
    const kit = replicaOn(storage, replicaClock);
    const recovered: number[] = [];
    kit.events.on('scheduler:clock_recovered', (e) => void recovered.push(e.offsetMs));
    const scheduler = kit.createScheduler();
    expect((await scheduler.tick()).refused).not.toBeNull();
    replicaClock.set(storageClock.now());
    const report = await scheduler.tick();
    expect(report).toMatchObject({ won: true, refused: null });
    expect(recovered).toEqual([about(0)]);
  });

  it('runs ticks with a clock within policy.maxClockOffsetMs, and refuses past it', async () => {
    const storageClock = new ManualClock(START);
    const storage = createMemoryStorage({ clock: storageClock });
    const within = replicaOn(storage, new ManualClock(storageClock.now().getTime() + 4_000)).createScheduler();
    expect((await within.tick()).refused).toBeNull();
    const past = replicaOn(storage, new ManualClock(storageClock.now().getTime() - 6_000)).createScheduler();
    expect((await past.tick()).refused).toEqual({ reason: 'clock_off', offsetMs: about(-6_000) });
  });
});

describe('ClockCheck', () => {
  function checkOn(maxClockOffsetMs?: number) {
    const clock = new ManualClock(START);
    const storageClock = new ManualClock(START);
    const { storage, asked } = countingNow(createMemoryStorage({ clock: storageClock }));
    let monotonic = 0;
    const ctx = {
      storage,
      clock,
      logger: silentLogger,
      events: new PanelkitEventBus(),
      policy: resolvePolicy({ identity: IDENTITY, ...(maxClockOffsetMs === undefined ? {} : { maxClockOffsetMs }) }),
    } as unknown as EngineContext;
    const check = new ClockCheck(ctx, () => monotonic);
    /** Real time passing: every clock moves on together. */
    const pass = (ms: number) => {
      monotonic += ms;
      clock.advance(ms);
      storageClock.advance(ms);
    };
    return { check, clock, asked, pass };
  }

  it('asks the storage once, then again only every few minutes while the clocks move together', async () => {
    const { check, asked, pass } = checkOn();
    expect(await check.refusal()).toBeNull();
    expect(asked()).toBe(1);
    for (let i = 0; i < 4; i++) {
      pass(MINUTE);
      expect(await check.refusal()).toBeNull();
    }
    expect(asked()).toBe(1);
    pass(CLOCK_RECHECK_MS - 4 * MINUTE);
    expect(await check.refusal()).toBeNull();
    expect(asked()).toBe(2);
  });

  it('asks again at once when the replica’s clock steps, and refuses when the step took it past the bound', async () => {
    const { check, clock, asked, pass } = checkOn();
    expect(await check.refusal()).toBeNull();
    pass(MINUTE);
    // Under half the bound: not worth a question yet.
    clock.advance(2_000);
    expect(await check.refusal()).toBeNull();
    expect(asked()).toBe(1);
    clock.advance(8_000);
    expect(await check.refusal()).toBe(10_000);
    expect(asked()).toBe(2);
    // While refused it asks on every call, so it resumes at once when the clock is back.
    expect(await check.refusal()).toBe(10_000);
    expect(asked()).toBe(3);
    clock.advance(-10_000);
    expect(await check.refusal()).toBeNull();
  });

  it('takes the bound from policy.maxClockOffsetMs', async () => {
    const { check, clock } = checkOn(60_000);
    clock.advance(30_000);
    expect(await check.refusal()).toBeNull();
    clock.advance(40_000);
    expect(await check.refusal()).toBe(70_000);
  });

  it('refuses a bound that is not a positive number', () => {
    expect(() => resolvePolicy({ identity: IDENTITY, maxClockOffsetMs: 0 })).toThrow(/maxClockOffsetMs/);
    expect(() => resolvePolicy({ identity: IDENTITY, maxClockOffsetMs: Number.NaN })).toThrow(/maxClockOffsetMs/);
  });
});

describe('Panelkit.clockOffset', () => {
  it('measures this process’s clock against the storage’s, within or off the bound, for a health check', async () => {
    const storageClock = new ManualClock(START);
    const storage = createMemoryStorage({ clock: storageClock });
    const honest = await replicaOn(storage, storageClock).clockOffset();
    expect(honest).toMatchObject({ offsetMs: about(0), maxOffsetMs: 5_000, status: 'within' });
    expect(honest.roundTripMs).toBeGreaterThanOrEqual(0);
    const ahead = await replicaOn(storage, new ManualClock(storageClock.now().getTime() + 10 * MINUTE)).clockOffset();
    expect(ahead).toMatchObject({ offsetMs: about(10 * MINUTE), status: 'off' });
    const behind = await replicaOn(storage, new ManualClock(storageClock.now().getTime() - 10 * MINUTE)).clockOffset();
    expect(behind).toMatchObject({ offsetMs: about(-10 * MINUTE), status: 'off' });
  });
});
