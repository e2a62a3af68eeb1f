import type { Subscription } from '@panelkit/sdk';
import type { ClientRef, RemoteClient } from '@panelkit/sdk/adapter';
import type { DemoStack } from './stack.js';

/** Where a stored subscription's client lives, as the adapter needs it. */
export async function clientRefOf(stack: DemoStack, sub: Subscription): Promise<ClientRef> {
  const target = await stack.storage.targets.get(sub.targetId);
  if (target === null) throw new Error(`target ${sub.targetId} vanished`);
  return {
    target: { remoteRef: target.remoteRef, protocol: target.protocol, remoteMeta: target.remoteMeta },
    username: sub.remote.username,
    remoteClientId: sub.remoteClientId,
  };
}

function call(key: string) {
  return { signal: AbortSignal.timeout(15_000), idempotencyKey: key };
}

/** The subscription's client as the panel has it now, read through the 3x-ui adapter. */
export async function readBack(stack: DemoStack, sub: Subscription): Promise<RemoteClient | null> {
  return stack.adapterFor(sub.panelId).getClient(await clientRefOf(stack, sub), call(`demo:read:${sub.id}`));
}

/** The links the panel gives the client now, read through the adapter. */
export async function linksNow(stack: DemoStack, sub: Subscription): Promise<readonly string[]> {
  return (await stack.adapterFor(sub.panelId).links(await clientRefOf(stack, sub), call(`demo:links:${sub.id}`))).shareLinks;
}

/** What a client app gets from a subscription URL: the links (base64, one per line) and the traffic header. */
export async function fetchSubscription(url: string): Promise<{ status: number; links: string[]; userinfo: string | null }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = await response.text();
  if (!response.ok) return { status: response.status, links: [], userinfo: null };
  const links = Buffer.from(body, 'base64')
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  return { status: response.status, links, userinfo: response.headers.get('subscription-userinfo') };
}
