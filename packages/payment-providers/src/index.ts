/**
 * What every provider of `@panelkit/payment-providers` shares: amounts in minor units, the refusal of a merchant's
 * own key, and the sweep for payments whose notification never came. Each provider lives under its own subpath
 * (`@panelkit/payment-providers/yookassa`, `/stripe`, …) and the gateway simulators under `/simulators`.
 */
export { fromMinorUnits, minorDigits, toMinorUnits } from './core/money.js';
export type { ReadWhenNeeded } from './core/read-when-needed.js';
export { GatewayKeyRefusedError, keyRefusalIn } from './core/key-refused.js';
export { sweepPendingPayments, type SweepOptions, type SweepResult, type UnreachableProvider } from './core/sweep.js';
