import type { EngineContext } from '../engine/context.js';
import { checkPanelHealth, checkSuspectPanels } from '../engine/health.js';
import { toPanelkitError } from '../errors.js';
import { settleAbandonedProvisioning } from './abandoned.js';
import { creditReferralRewards } from '../engine/referral.js';
import { expireDuePayments } from '../engine/payments/paths.js';
import { renewDue, warnExpiry } from './renewals.js';
import { activateFirstUse, enforceLimits, expireDue, terminateAfterGrace } from './sweeps.js';
import { ClockCheck } from './clock-check.js';
import { TickScope } from './tick-scope.js';
import { syncUsage } from './usage-sync.js';
import { expireDueGifts } from '../engine/gifts.js';
import type { UsageSyncReport } from './usage-sync.js';
import { figuresTick } from '../engine/figures/kit.js';
import { enqueueGuardReads } from '../engine/guard/read.js';

/**
 * What one tick did. `won: false` means another replica had the slot and nothing ran here, or (with `refused`)
 * that this replica's clock is too far off the storage's to tick at all.
 */
export interface TickReport {
  won: boolean;
  /**
   * Set when this replica ran nothing because its clock is off the storage's by `offsetMs` (positive: ahead),
   * more than `policy.maxClockOffsetMs`; `null` otherwise.
   */
  refused: { reason: 'clock_off'; offsetMs: number } | null;
  slot: Date;
  reapedJobs: number;
  /** Pending subscriptions whose provisioning job died unsettled, now failed and refunded. */
  abandoned: number;
  healthChecked: number;
  usage: UsageSyncReport | null;
  activated: number;
  limited: number;
  renewed: number;
  expired: number;
  warned: number;
  terminated: number;
  /** Referral rewards credited to referrers' wallets. */
  referralsCredited: number;
  /** Pending payments whose time ran out, now `expired`. */
  paymentsExpired: number;
  /** Gifts nobody claimed in time, now `expired` and refunded to their givers. */
  giftsExpired: number;
}

/** Options of `kit.createScheduler`; every field has a default (intervals come from the engine policy). */
export interface SchedulerOptions {
  /**
   * How far back the sliding windows (renewals, expiry warnings) reach on this replica's first
   * tick, to catch what came due while no scheduler ran. Default 6 hours.
   */
  catchUpMs?: number;
  /** Turn usage sync off (e.g. a replica that only sweeps). Default on. */
  usageSync?: boolean;
}

/** The tick name whose slot (every `tickIntervalMs`) one replica wins to run the lifecycle work. */
export const LIFECYCLE_TICK = 'panelkit:lifecycle';
/** The slot (every `healthCheckIntervalMs`) on which one replica checks every panel's health. */
export const HEALTH_TICK = 'panelkit:health';
/** The faster slot on which only suspect panels (unhealthy, or failing) are checked. */
export const SUSPECT_HEALTH_TICK = 'panelkit:health:suspect';

function slotOf(now: Date, intervalMs: number): Date {
  return new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
}

/** The lifecycle scheduler; make one with `kit.createScheduler()` on every replica. */
export interface Scheduler {
  /**
   * Runs one lifecycle tick if this replica wins the current slot (leaderless: of all replicas
   * calling it for one slot, exactly one runs it). Call it more often than `tickIntervalMs`. Runs nothing
   * (`refused` in the report, `scheduler:clock_skewed` emitted) while this replica's clock is off the
   * storage's by more than `policy.maxClockOffsetMs`.
   */
  tick(): Promise<TickReport>;
}

/**
 * Runs one lifecycle tick if this replica wins the current slot (leaderless: of all replicas
 * calling it for one slot, exactly one runs it). The winner reaps expired leases, checks panel
 * health on its own slower slot (suspect panels on a faster one), syncs usage, then sweeps: first
 * use, limits, renewals, expiry, warnings, termination, referral rewards, due payments and gifts. Every state change writes
 * an audit event with the scheduler as actor.
 *
 * A replica whose clock is off the storage's by more than `policy.maxClockOffsetMs` runs no tick at all, not
 * even asks for a slot (see `ClockCheck`): slots and domain times are on its own clock.
 *
 * Usage sync is shared: every replica's tick reads the panels whose per-panel slot it wins (see
 * `syncUsage`), so adding replicas shortens a cycle. The sweeps run on the lifecycle winner after
 * its own share; readings another replica is still storing are acted on by the next tick.
 */
export class LifecycleScheduler implements Scheduler {
  #lastRun: Date | undefined;
  /** The slot this replica last read usage for: it asks for each panel's slot once. */
  #usageSlot: Date | undefined;
  readonly #catchUpMs: number;
  readonly #usageSync: boolean;
  readonly #clock: ClockCheck;

  constructor(
    private readonly ctx: EngineContext,
    options: SchedulerOptions = {},
  ) {
    this.#catchUpMs = options.catchUpMs ?? 6 * 3_600_000;
    this.#usageSync = options.usageSync ?? true;
    this.#clock = new ClockCheck(ctx);
  }

  async tick(): Promise<TickReport> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const slot = slotOf(now, ctx.policy.tickIntervalMs);
    const offsetMs = await this.#clock.refusal();
    const won = offsetMs === null && (await ctx.storage.ticks.tryAcquire(LIFECYCLE_TICK, slot));
    const report: TickReport = {
      won,
      refused: offsetMs === null ? null : { reason: 'clock_off', offsetMs },
      slot,
      reapedJobs: 0,
      abandoned: 0,
      healthChecked: 0,
      usage: null,
      activated: 0,
      limited: 0,
      renewed: 0,
      expired: 0,
      warned: 0,
      terminated: 0,
      referralsCredited: 0,
      paymentsExpired: 0,
      giftsExpired: 0,
    };
    if (offsetMs !== null) {
      // No slot asked for: a replica whose clock is off must not win one, nor act on times it reads wrong.
      ctx.events.emit('scheduler:clock_skewed', { offsetMs, maxOffsetMs: ctx.policy.maxClockOffsetMs, at: now });
      return report;
    }
    ctx.events.emit('scheduler:ticked', { name: LIFECYCLE_TICK, slot, won, at: now });
    await this.#figures();
    await this.#guard();
    const since = this.#lastRun ?? new Date(now.getTime() - this.#catchUpMs);
    const scope = new TickScope(ctx, now, since);
    if (!won) {
      // Usage is read by every replica: each panel's slot goes to one of them.
      if (this.#usageSync && this.#usageSlot?.getTime() !== slot.getTime()) {
        this.#usageSlot = slot;
        report.usage = await syncUsage(scope, slot);
      }
      return report;
    }
    report.reapedJobs = await ctx.storage.jobs.reapExpired();
    report.abandoned = await settleAbandonedProvisioning(scope);
    report.healthChecked = await this.#checkHealth(now, scope);
    if (this.#usageSync) {
      this.#usageSlot = slot;
      report.usage = await syncUsage(scope, slot);
    }
    report.activated = (report.usage?.activated ?? 0) + (await activateFirstUse(scope));
    report.limited = await enforceLimits(scope);
    report.renewed = await renewDue(scope);
    const expiry = await expireDue(scope);
    report.expired = expiry.expired;
    report.renewed += expiry.renewed;
    report.warned = (report.usage?.warned ?? 0) + (await warnExpiry(scope));
    report.terminated = await terminateAfterGrace(scope);
    report.referralsCredited = await creditReferralRewards(ctx, scope.actor);
    report.paymentsExpired = await expireDuePayments(ctx);
    report.giftsExpired = await expireDueGifts(ctx);
    this.#lastRun = now;
    return report;
  }

  /** The owner figures' own slot (any replica may win it): a rebuild when due, else a fold when rows wait. */
  async #figures(): Promise<void> {
    if (this.ctx.figures === undefined) return;
    try {
      await figuresTick(this.ctx, this.ctx.figures);
    } catch (error) {
      this.ctx.events.emit('error', toPanelkitError(error));
    }
  }

  /** The sharing guard's read slots (any replica may win a panel's): a `guard.read` job a panel while the policy is on. */
  async #guard(): Promise<void> {
    try {
      await enqueueGuardReads(this.ctx);
    } catch (error) {
      this.ctx.events.emit('error', toPanelkitError(error));
    }
  }

  /**
   * Every panel on the health slot; on the faster suspect slot, only panels that are unhealthy or
   * failed their last check (a recovery wakes their parked jobs, so it must be seen soon).
   */
  async #checkHealth(now: Date, scope: TickScope): Promise<number> {
    const { ctx } = this;
    try {
      if (await ctx.storage.ticks.tryAcquire(HEALTH_TICK, slotOf(now, ctx.policy.healthCheckIntervalMs))) {
        return (await checkPanelHealth(ctx, undefined, { actor: scope.actor })).length;
      }
      if (await ctx.storage.ticks.tryAcquire(SUSPECT_HEALTH_TICK, slotOf(now, ctx.policy.unhealthyCheckIntervalMs))) {
        return (await checkSuspectPanels(ctx, scope.actor)).length;
      }
    } catch (error) {
      ctx.events.emit('error', toPanelkitError(error));
    }
    return 0;
  }
}
