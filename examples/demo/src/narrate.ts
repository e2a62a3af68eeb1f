import type { Panelkit } from '@panelkit/sdk';
import { gib, money, when } from './format.js';

export type Say = (line: string) => void;

/**
 * Prints what the engine reports through its events, one line each, so the story shows what
 * happened rather than re-deriving it. `name` turns a subscription id into the label the story
 * uses. Returns a function that stops listening.
 */
export function narrateEvents(kit: Panelkit, say: Say, name: (subscriptionId: string) => string): () => void {
  const e = kit.events;
  const line = (text: string) => say(`    · ${text}`);
  const offs = [
    e.on('ledger:appended', ({ entry }) =>
      line(
        `ledger: ${entry.kind} ${entry.amount > 0 ? '+' : '−'}${money({ amount: Math.abs(entry.amount), currency: entry.currency })}, balance ${money({ amount: entry.balanceAfter, currency: entry.currency })}`,
      ),
    ),
    e.on('order:placed', ({ order }) => line(`order ${order.id} placed: ${money(order.total)}, status ${order.status}`)),
    e.on('order:completed', ({ order }) => line(`order ${order.id} completed`)),
    e.on('order:failed', ({ order }) => line(`order ${order.id} ${order.status}`)),
    e.on('subscription:provisioned', ({ subscription: s }) =>
      line(`${name(s.id)} provisioned on the panel as ${s.remote.username}: ${s.status} until ${when(s.expiresAt)}`),
    ),
    e.on('subscription:activated', ({ subscription: s }) => line(`${name(s.id)} activated until ${when(s.expiresAt)}`)),
    e.on('subscription:extended', ({ subscription: s, action, linkChanged }) =>
      line(
        `${name(s.id)} ${action === 'reset' ? 'reset' : 'extended'} on the panel: ${gib(s.trafficLimitBytes)} until ${when(s.expiresAt)}; link ${linkChanged ? 'changed' : 'unchanged'}`,
      ),
    ),
    e.on('subscription:warned', ({ subscription: s, notice }) =>
      line(`${name(s.id)} warned: ${notice} (used ${gib(s.usedBytes)} of ${gib(s.trafficLimitBytes)}, expires ${when(s.expiresAt)})`),
    ),
    e.on('subscription:limited', ({ subscription: s }) =>
      line(`${name(s.id)} limited: used ${gib(s.usedBytes)} of ${gib(s.trafficLimitBytes)}`),
    ),
    e.on('subscription:expired', ({ subscription: s }) => line(`${name(s.id)} expired (was due ${when(s.expiresAt)})`)),
    e.on('subscription:terminated', ({ subscription: s }) => line(`${name(s.id)} terminated: slot released, client removal queued`)),
    e.on('subscription:failed', ({ subscription: s, reason }) => line(`${name(s.id)} failed: ${reason}`)),
    e.on('subscription:suspended', ({ subscription: s, reason }) => line(`${name(s.id)} suspended: ${reason}`)),
    e.on('subscription:resumed', ({ subscription: s }) => line(`${name(s.id)} resumed: ${s.status}`)),
    e.on('job:succeeded', ({ job }) => line(`worker: ${job.type} done`)),
    e.on('job:retried', ({ job, error, retryAt }) => line(`worker: ${job.type} failed (${error.code}), retry at ${when(retryAt)}`)),
    e.on('job:dead', ({ job, error }) => line(`worker: ${job.type} gave up (${error.code}: ${error.message})`)),
    e.on('usage:synced', ({ clients, applied }) =>
      line(`usage synced: ${clients} clients read from the panel, ${applied} readings stored`),
    ),
    e.on('usage:sync_failed', ({ error }) => line(`usage sync failed: ${error.code}`)),
    e.on('panel:unhealthy', ({ message }) => line(`panel unhealthy: ${message ?? 'no answer'}`)),
    e.on('panel:recovered', () => line('panel healthy again')),
    e.on('error', (error) => line(`error: ${error.message}`)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
