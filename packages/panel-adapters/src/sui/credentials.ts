/**
 * S-UI does not generate credentials: the caller puts a `config` object holding one user object
 * per protocol key, and each inbound picks its key with `json_extract(config, "$.<type>")`
 * (`service/inbounds.go fetchUsers`; a 2022-blake3-aes-128-gcm Shadowsocks inbound reads
 * `shadowsocks16`). A missing key gives that inbound a broken user, so every key the panel's own
 * UI fills (`s-ui-frontend src/types/clients.ts randomConfigs`) is filled here, from the
 * derived {@link RemoteIdentity} instead of random values: a retried create sends the same
 * credentials, and a client found on the panel can be recognised as ours.
 */
import type { RemoteIdentity } from '@panelkit/sdk';

/** A client's `config`: one user object per protocol key. */
export type SuiClientConfig = Record<string, Record<string, unknown>>;

/** Every protocol key S-UI reads from a client's `config`. */
export const SUI_CONFIG_KEYS = [
  'mixed',
  'socks',
  'http',
  'shadowsocks',
  'shadowsocks16',
  'shadowtls',
  'vmess',
  'vless',
  'anytls',
  'trojan',
  'naive',
  'hysteria',
  'tuic',
  'hysteria2',
] as const;
/** A key of an S-UI client's `config` object: one per protocol it can hold credentials for. */
export type SuiConfigKey = (typeof SUI_CONFIG_KEYS)[number];

/** Inbound types that hold users (`service/inbounds.go hasUser` and the link generator's list). */
export const SUI_USER_INBOUND_TYPES: ReadonlySet<string> = new Set([
  'mixed',
  'socks',
  'http',
  'shadowsocks',
  'shadowtls',
  'vmess',
  'vless',
  'anytls',
  'trojan',
  'naive',
  'hysteria',
  'tuic',
  'hysteria2',
]);

/** The first 16 bytes of the 32-byte Shadowsocks 2022 key, for the 128-bit methods. */
function ss2022Key16(ssKey: string): string {
  return Buffer.from(ssKey, 'base64').subarray(0, 16).toString('base64');
}

/**
 * The `config` for one client. Names inside it equal the client name, as v1.5's
 * `setConfigIdentity` would force anyway; earlier versions keep what is sent, so it is sent right.
 */
export function buildSuiConfig(name: string, identity: RemoteIdentity): SuiClientConfig {
  const { uuid, password, ssKey } = identity;
  return {
    mixed: { username: name, password },
    socks: { username: name, password },
    http: { username: name, password },
    shadowsocks: { name, password: ssKey },
    shadowsocks16: { name, password: ss2022Key16(ssKey) },
    shadowtls: { name, password: ssKey },
    vmess: { name, uuid, alterId: 0 },
    vless: { name, uuid, flow: 'xtls-rprx-vision' },
    anytls: { name, password },
    trojan: { name, password },
    naive: { username: name, password },
    hysteria: { name, auth_str: password },
    tuic: { name, uuid, password },
    hysteria2: { name, password },
  };
}
