import type { TargetRef } from '@panelkit/sdk/adapter';
import type { ManualClock } from '@panelkit/sdk/testing';
import { createMarzneshinAdapter, type MarzneshinAdapterOptions } from '../../src/marzneshin/index.js';
import {
  createMarzneshinSimulator,
  type MarzneshinSimulator,
  type MarzneshinSimulatorOptions,
} from '../../src/simulators/marzneshin/index.js';
import { clientSpecs, setupTokenPanel } from '../support/token-panel.js';

export const ORIGIN = 'http://marzneshin.test';
export const PASSWORD = 'marzneshin-owner-password';

export const SERVICE_TARGET: TargetRef = { remoteRef: '1', protocol: 'mixed', remoteMeta: { serviceId: 1 } };

export function setup(
  simOptions: MarzneshinSimulatorOptions = {},
  adapterOptions: Partial<MarzneshinAdapterOptions> = {},
): { sim: MarzneshinSimulator; adapter: ReturnType<typeof createMarzneshinAdapter>; clock: ManualClock } {
  return setupTokenPanel(ORIGIN, PASSWORD, {
    simulator: (base) => createMarzneshinSimulator({ ...base, ...simOptions }),
    adapter: (base) => createMarzneshinAdapter({ ...base, ...adapterOptions }),
  });
}

export const spec = clientSpecs('marzneshin-test-identity-secret');

export { ctx, useMsw } from '../support/msw.js';
