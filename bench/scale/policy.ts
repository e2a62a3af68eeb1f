/** The engine policy every bench/scale process runs with. */
import type { EnginePolicy } from '../../packages/sdk/src/index.js';

export const BENCH_POLICY: EnginePolicy = {
  identity: { secret: 'bench-scale-secret-0123456789abcdef' },
  tickIntervalMs: 60_000,
  // Health is checked once, in the warm-up tick; the measured ticks read usage and sweep.
  healthCheckIntervalMs: 30 * 86_400_000,
  unhealthyCheckIntervalMs: 30 * 86_400_000,
};
