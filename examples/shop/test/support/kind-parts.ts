/**
 * WireGuard, AmneziaWG and Telegram-proxy parts written straight into storage, with the share links the panels print
 * (design §8): what the shop's pages, bot and API deliver, before the engine sells kinds at checkout.
 */
import { createId, deriveRemoteIdentity, type Subscription } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { mtprotoSecret, wireGuardKeyPairOf } from '@panelkit/sdk/adapter';
import type { RunningShop } from '../../src/stack/shop.js';

const enc = encodeURIComponent;

/** A client's and a server's WireGuard keys, derived from fixed seeds so every run writes the same links. */
export const CLIENT_KEYS = wireGuardKeyPairOf(new Uint8Array(32).fill(11));
export const SERVER_KEYS = wireGuardKeyPairOf(new Uint8Array(32).fill(42));

/** A `wireguard://` link in 3x-ui's form, with `remark` as the server's name; AmneziaWG adds its junk keys. */
export function wireGuardLink(remark: string, kind: 'wireguard' | 'amneziawg' = 'wireguard'): string {
  const amnezia = kind === 'amneziawg' ? '&jc=4&jmin=40&jmax=70&s1=15&s2=25&h1=1&h2=2&h3=3&h4=4' : '';
  return `wireguard://${enc(CLIENT_KEYS.privateKey)}@wg.example.com:51820?address=10.0.0.2&dns=1.1.1.1&keepalive=25&mtu=1420&publickey=${enc(SERVER_KEYS.publicKey)}${amnezia}#${enc(remark)}`;
}

/** The FakeTLS secret in the Telegram proxy link below. */
export const MTPROTO_SECRET = mtprotoSecret('0123456789abcdef0123456789abcdef', 'ee', 'cdn.example.com');
/** A `tg://proxy` link in 3x-ui's form (keys sorted, no fragment). */
export const TELEGRAM_LINK = `tg://proxy?port=443&secret=${MTPROTO_SECRET}&server=tg.example.com`;

/** The share link a part of `kind` is stored with. */
export function shareLinkOf(kind: EntitlementKind, remark = 'DE Frankfurt'): string {
  if (kind === 'mtproto') return TELEGRAM_LINK;
  if (kind === 'xray') return 'vless://4b3c0a9e-0000-4000-8000-000000000002@198.51.100.7:443?type=tcp&security=none#one';
  return wireGuardLink(remark, kind);
}

/**
 * Active parts of `kinds` for a customer, on the shop's first plan and target, in one order and (`bundle`) one
 * bundle, as checkout will make them; each with its kind's share link (none with `noLinks`, as while being set up).
 */
export async function partsFor(
  shop: RunningShop,
  customerId: string,
  kinds: readonly EntitlementKind[],
  options: { bundle?: boolean; noLinks?: boolean } = {},
): Promise<Subscription[]> {
  const [plan] = await shop.storage.plans.list();
  const [target] = await shop.storage.targets.list();
  if (plan === undefined || target === undefined) throw new Error('the demo shop has no plan or target');
  const key = createId('kp');
  const order =
    options.bundle === false
      ? null
      : await shop.storage.orders.create({
          customerId,
          status: 'completed',
          items: [{ planId: plan.id, quantity: 1, unitPrice: plan.price, trial: false }],
          total: plan.price,
          idempotencyKey: key,
          requestHash: key,
        });
  const orderId = order?.id ?? null;
  const bundleId = order === null ? null : createId('bnd');
  const now = shop.clock.now();
  const parts: Subscription[] = [];
  for (const [i, kind] of kinds.entries()) {
    const id = createId('sub');
    parts.push(
      await shop.storage.subscriptions.create({
        id,
        customerId,
        orderId,
        planId: plan.id,
        panelId: target.panelId,
        targetId: target.id,
        remote: deriveRemoteIdentity(id, 0, { secret: 'kind-parts-test-secret' }, kind),
        status: 'active',
        activatedAt: now,
        trafficLimitBytes: null,
        expiresAt: new Date(now.getTime() + 30 * 86_400_000),
        durationDays: 30,
        startOnFirstUse: false,
        shareLinks: options.noLinks ? [] : [shareLinkOf(kind, `DE Frankfurt ${i + 1}`)],
        bundleId,
        kind,
      }),
    );
  }
  return parts;
}
