import type { EntitlementKind } from '../../domain/entitlement.js';
import type { RemoteIdentity } from '../../domain/remote-identity.js';
import type { Expiry } from '../../ports/panel.js';

/** A client as the fake panel stores it. */
export interface FakeClient {
  readonly id: string;
  targetRef: string;
  identity: RemoteIdentity;
  expiry: Expiry;
  trafficLimitBytes: number | null;
  deviceLimit: number | null;
  enabled: boolean;
  uploadBytes: number;
  downloadBytes: number;
  lastOnlineAt: Date | null;
  note: string | null;
  /** What the client is (`xray` for every client of a fake that declares no kinds). */
  kind: EntitlementKind;
  /** A WireGuard or AmneziaWG peer: the private key it was created with, the public key the panel derived, its addresses. */
  wireguard?: { privateKey: string; publicKey: string; addresses: string[] };
  /** A Telegram proxy client: its secret as the panel writes it (`ee` + core + hex of the FakeTLS domain). */
  mtproto?: { secret: string };
}
