/**
 * `npm run demo`: panelkit end to end on an embedded database and a simulated 3x-ui panel served
 * over HTTP on 127.0.0.1. With `--keep-running` (or PANELKIT_DEMO_KEEP_RUNNING=1) it leaves the
 * panel, worker and scheduler running on the system clock instead of walking through time.
 */
import { systemClock } from '@panelkit/sdk';
import { freshDataFolder } from './data-folder.js';
import { keepRunning } from './keep-running.js';
import { SIMULATED_VERSION, openDemoStack } from './stack.js';
import { runWalkthrough } from './walkthrough.js';
import { DemoClock } from './demo-clock.js';

const keep = process.argv.includes('--keep-running') || process.env['PANELKIT_DEMO_KEEP_RUNNING'] === '1';
const say = (line: string) => console.log(line);

const folder = await freshDataFolder();
try {
  const manual = new DemoClock(new Date(Math.floor(Date.now() / 60_000) * 60_000));
  // Keep-running uses the real 3x-ui ports, so the panel is where a developer expects it.
  const stack = await openDemoStack({
    clock: keep ? systemClock : manual,
    dataDir: folder.path,
    ...(keep ? { ports: { panel: 2053, subscription: 2096 } } : {}),
  });
  try {
    say('panelkit demo: the engine, the worker and the scheduler against a 3x-ui panel over real HTTP.');
    say(
      `Database: PGlite in ${folder.path} (fresh each run; schema v${stack.schemaVersion}). Panel: 3x-ui ${SIMULATED_VERSION} simulator on ${stack.panelUrl}`,
    );
    if (keep) {
      await keepRunning(stack, say);
    } else {
      say('Time is a manual clock shared by the engine, the storage and the panel; the story moves it.');
      await runWalkthrough(stack, manual, say);
    }
  } finally {
    await stack.close();
  }
  say('\nClosed the panel server and the database; removed the data folder.');
} catch (error) {
  process.exitCode = 1;
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') console.error(`\nA port the demo needs is taken (${(error as Error).message}); is another demo running?`);
  else console.error('\nThe demo failed:', error);
} finally {
  await folder.remove();
}
