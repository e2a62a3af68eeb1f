import type { Say } from './narrate.js';
import { narrateEvents } from './narrate.js';
import { openShop, sellTwo } from './sell.js';
import type { DemoStack } from './stack.js';

/** How often the background scheduler ticks (its slot is the engine's default, 60 s). */
const TICK_EVERY_MS = 15_000;

/**
 * Sells two subscriptions, then leaves the worker and scheduler running on the system clock
 * against the simulated panel until SIGINT/SIGTERM, printing where to poke it.
 */
export async function keepRunning(stack: DemoStack, say: Say): Promise<void> {
  const stopNarrating = narrateEvents(stack.kit, say, (id) => id);
  const shop = await openShop(stack, say);
  const sale = await sellTwo(stack, shop, say);
  const worker = stack.kit.createWorker({ id: 'demo-worker' });
  const scheduler = stack.kit.createScheduler();
  worker.start();
  const timer = setInterval(() => {
    scheduler.tick().catch((error: unknown) => say(`scheduler tick failed: ${String(error)}`));
  }, TICK_EVERY_MS);

  const { username, password } = stack.login;
  const url = stack.panelUrl;
  say('\nRunning: the worker and the scheduler (a tick every 15 s) on the system clock. Ctrl-C stops everything.');
  say(`3x-ui ${stack.sim.traits.version} panel: ${url}  login ${username} / ${password}`);
  say('Poke it:');
  say(`  curl -s -c /tmp/pk-jar -d 'username=${username}&password=${password}' ${url}login`);
  say(`  curl -s -b /tmp/pk-jar -H 'X-Requested-With: XMLHttpRequest' ${url}panel/api/inbounds/list`);
  for (const sub of sale.subscriptions)
    say(`  curl -s ${sub.subscriptionUrl ?? ''} | base64 -d     # ${sub.remote.username}'s subscription`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say('\nStopping…');
  clearInterval(timer);
  await worker.stop({ timeoutMs: 5_000 });
  stopNarrating();
}
