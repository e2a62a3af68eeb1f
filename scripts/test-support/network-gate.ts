import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const TEMP_ROOT_VARIABLE = 'PANELKIT_TEST_TMP';
const CHANGING = 'changing';
const QUIET_PREFIX = 'quiet-';
const POLL_MS = 250;

/*
 * Chromium aborts its requests in flight with `net::ERR_NETWORK_CHANGED` whenever the host's network interfaces change,
 * and podman changes them each time a container or a network starts or stops. The deployment test and the browser
 * tests share one run through this gate instead of running one after the other: a browser holds the network quiet
 * while it is open (`holdQuietNetwork`), the deployment holds it changing while it runs
 * (`holdNetworkChanges`), and neither holds while the other does.
 *
 * The holds are files in the run's temporary folder (the files run in worker threads and child processes): each side
 * writes its own file first and then looks for the other side's, so two that start together cannot both pass. A
 * browser that finds the network changing takes its file back and waits; the deployment waits for the browsers open
 * before it to close, and no new one opens meanwhile. Without the run's folder (a file run without the global
 * set-up) there is nothing to share the run with, and both pass at once.
 */

/** Gives back what a hold took; calling it again does nothing. */
export type Release = () => void;

/** The gate's folder in the run's temporary folder, made on first use. */
function gateFolder(): string | null {
  const root = process.env[TEMP_ROOT_VARIABLE];
  if (root === undefined) return null;
  const folder = join(root, 'network-gate');
  mkdirSync(folder, { recursive: true });
  return folder;
}

function once(action: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}

/**
 * Holds the host's network quiet for a browser: resolves once no network change is under way, until released.
 * `folder` is the gate's (default: the run's); without one it passes at once.
 */
export async function holdQuietNetwork(folder: string | null = gateFolder()): Promise<Release> {
  if (folder === null) return () => {};
  const mine = join(folder, `${QUIET_PREFIX}${process.pid}-${Math.random().toString(36).slice(2)}`);
  for (;;) {
    writeFileSync(mine, '');
    if (!existsSync(join(folder, CHANGING))) return once(() => rmSync(mine, { force: true }));
    rmSync(mine, { force: true });
    while (existsSync(join(folder, CHANGING))) await sleep(POLL_MS);
  }
}

/**
 * Holds the host's network for changes (containers, networks): resolves once no browser is open, until released.
 * `folder` is the gate's (default: the run's); without one it passes at once.
 */
export async function holdNetworkChanges(folder: string | null = gateFolder()): Promise<Release> {
  if (folder === null) return () => {};
  const changing = join(folder, CHANGING);
  writeFileSync(changing, String(process.pid), { flag: 'wx' });
  while (readdirSync(folder).some((name) => name.startsWith(QUIET_PREFIX))) await sleep(POLL_MS);
  return once(() => rmSync(changing, { force: true }));
}
