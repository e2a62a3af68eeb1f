import type { TargetRef } from '@panelkit/sdk/adapter';
import type { ManualClock } from '@panelkit/sdk/testing';
import { createMarzbanAdapter, type MarzbanAdapterOptions } from '../../src/marzban/index.js';
import { createMarzbanSimulator, type MarzbanSimulator, type MarzbanSimulatorOptions } from '../../src/simulators/marzban/index.js';
import { clientSpecs, setupTokenPanel } from '../support/token-panel.js';

export const ORIGIN = 'http://marzban.test';
export const PASSWORD = 'marzban-owner-password';

export const VLESS_TARGET: TargetRef = {
  remoteRef: 'VLESS TCP REALITY',
  protocol: 'vless',
  remoteMeta: { inbounds: { vless: ['VLESS TCP REALITY'] } },
};

export function setup(
  simOptions: MarzbanSimulatorOptions = {},
  adapterOptions: Partial<MarzbanAdapterOptions> = {},
): { sim: MarzbanSimulator; adapter: ReturnType<typeof createMarzbanAdapter>; clock: ManualClock } {
  return setupTokenPanel(ORIGIN, PASSWORD, {
    simulator: (base) => createMarzbanSimulator({ ...base, ...simOptions }),
    adapter: (base) => createMarzbanAdapter({ ...base, ...adapterOptions }),
  });
}

export const spec = clientSpecs('marzban-test-identity-secret');

export { ctx, useMsw } from '../support/msw.js';
