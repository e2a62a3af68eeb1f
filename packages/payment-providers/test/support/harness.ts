import type { PaymentCapabilityHarness } from '@panelkit/sdk/testing';
import type { ChargeAnswer } from '../../src/simulators.js';

/** What the conformance suite drives on a simulator of a gateway with refunds and saved methods (YooKassa, Stripe). */
export interface CapableSimulator {
  down: boolean;
  chargeAnswer: ChargeAnswer;
  loseNextAnswer(): void;
  elapse(ms: number): void;
}

/** The suite's capability harness over such a simulator: its refunds and charges counted by `counts`. */
export function capabilitiesOf(sim: CapableSimulator, counts: { refunds: () => number; charges: () => number }): PaymentCapabilityHarness {
  return {
    refundCount: async () => counts.refunds(),
    chargeCount: async () => counts.charges(),
    setChargeAnswer: (answer) => {
      sim.chargeAnswer = answer;
    },
    loseNextAnswer: () => sim.loseNextAnswer(),
    // Past the 24 hours Stripe and YooKassa keep idempotency keys.
    outliveIdempotencyKeys: () => sim.elapse(25 * 3_600_000),
    setDown: (down) => {
      sim.down = down;
    },
  };
}
