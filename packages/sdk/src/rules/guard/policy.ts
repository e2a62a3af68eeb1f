import { z } from 'zod';

/** A step the guard takes against a shared subscription, in rising strength. */
export type GuardStep = 'warn' | 'limit' | 'suspend';

/** Where a guard case stands: `watching` (no step in force, or lifted) or the last step taken. */
export type GuardCaseStep = 'watching' | GuardStep;

/** The steps in rising strength; a case only ever escalates along this order (or is lifted back to `watching`). */
export const GUARD_STEPS: readonly GuardStep[] = ['warn', 'limit', 'suspend'];

/**
 * How a reading's addresses count against the allowance: `registry` (the shop's own device registry), `live` (a
 * panel reporting live connections, `clientAddresses.windowSeconds` under five minutes) or `windowed` (a panel's
 * union over a longer window, 3x-ui's 30 minutes: a phone moving from Wi-Fi to LTE shows twice).
 */
export type GuardSourceClass = 'registry' | 'live' | 'windowed';

const hours = (max: number) => z.number().min(0).max(max);

/**
 * The owner's guard policy (`kit.guard.setPolicy`; design `docs/design/owner-figures-and-guard.md` §4.3). Defaults
 * give a disabled guard that, once enabled, warns then limits. Hours are hours; `overFraction` is 0–1.
 */
export const GuardPolicySchema = z.strictObject({
  /** Whether the guard reads and acts at all. */
  enabled: z.boolean().default(false),
  /** W: the window the rule looks at, and how long readings are kept (hours, 1–168). */
  windowHours: z.number().int().min(1).max(168).default(24),
  /** K: over readings needed within the window (1–100). */
  overReadings: z.number().int().min(1).max(100).default(3),
  /** S: the first and last over readings must be at least this far apart (hours). */
  spanHours: hours(168).default(2),
  /** p: over readings must be at least this fraction of all readings in the window. */
  overFraction: z.number().min(0).max(1).default(0.5),
  /** Networks allowed beyond the device limit, by how the source counts (see {@link GuardSourceClass}). */
  slack: z
    .strictObject({
      registry: z.number().int().min(0).max(50).default(0),
      live: z.number().int().min(0).max(50).default(1),
      windowed: z.number().int().min(0).max(50).default(2),
    })
    .default({ registry: 0, live: 1, windowed: 2 }),
  /** The allowance of a subscription with no device limit (networks at once). */
  absoluteThreshold: z.number().int().min(1).max(1000).default(5),
  /** The devices `limit` sets on a subscription with no device limit of its own. */
  limitDevices: z.number().int().min(1).max(1000).default(2),
  /**
   * The steps in the owner's order, each once, rising in strength (`warn` before `limit` before `suspend`); `grace`
   * is how long after taking the step its evidence must be fresh before the next one (hours). Empty: only watch.
   */
  steps: z
    .array(z.strictObject({ step: z.enum(['warn', 'limit', 'suspend']), graceHours: hours(720).default(24) }))
    .max(3)
    .refine(
      (steps) => steps.every((s, i) => i === 0 || GUARD_STEPS.indexOf(s.step) > GUARD_STEPS.indexOf(steps[i - 1]!.step)),
      'steps must each appear once, in rising strength (warn, limit, suspend)',
    )
    .default([
      { step: 'warn', graceHours: 24 },
      { step: 'limit', graceHours: 24 },
    ]),
  /** Lift a `limit` (back to `watching`) after this many hours with readings and none over; `null` never. */
  liftAfterCleanHours: hours(720).nullable().default(null),
  /** Plans whose subscriptions the guard never acts on. */
  exemptPlans: z.array(z.string().min(1).max(64)).max(1000).default([]),
  /** Customers the guard never acts on. */
  exemptCustomers: z.array(z.string().min(1).max(64)).max(10_000).default([]),
});

/** The owner's guard policy, every field filled (see {@link GuardPolicySchema}). */
export type GuardPolicy = z.output<typeof GuardPolicySchema>;
/** A guard policy as an owner writes it: omitted fields take their defaults. */
export type GuardPolicyInput = z.input<typeof GuardPolicySchema>;

/** The default policy: disabled, W 24 h, K 3, S 2 h, p 0.5, warn then limit with 24 h grace. */
export const DEFAULT_GUARD_POLICY: GuardPolicy = GuardPolicySchema.parse({});
