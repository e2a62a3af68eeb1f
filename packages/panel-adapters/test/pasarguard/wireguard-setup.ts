/** A simulated PasarGuard with one WireGuard core (`wg0`) and a group reaching only it, beside the default groups. */
import { wireGuardKeyPairOf } from '@panelkit/sdk/adapter';
import type { PasarGuardSimulatorOptions } from '../../src/simulators/pasarguard/index.js';
import { DEFAULT_GROUPS } from '../../src/simulators/pasarguard/state.js';

/** The core's server key pair (fixed, so tests can check links against it). */
export const SERVER_KEYS = wireGuardKeyPairOf(Buffer.alloc(32, 7));
/** The core's preshared key, the same for every peer. */
export const CORE_PSK = Buffer.alloc(32, 9).toString('base64');

/** Group 3, "WireGuard", reaching the `wg0` core only. */
export const WG_GROUP = { remoteRef: '3', protocol: 'mixed', remoteMeta: { groupId: 3 } } as const;

/** Simulator options: the default groups, a "WireGuard" group (id 3) on `wg0`, and `wg0` on `subnet` (default a /24). */
export function wireGuardOptions(address = '10.8.0.1/24', extra: Partial<PasarGuardSimulatorOptions> = {}): PasarGuardSimulatorOptions {
  return {
    groups: [...DEFAULT_GROUPS, { name: 'WireGuard', inboundTags: ['wg0'], isDisabled: false }],
    wireGuardCores: [
      {
        name: 'wg0',
        config: {
          interface_name: 'wg0',
          private_key: SERVER_KEYS.privateKey,
          pre_shared_key: CORE_PSK,
          listen_port: 51820,
          address: [address],
        },
      },
    ],
    ...extra,
  };
}
