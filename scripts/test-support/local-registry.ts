import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A Verdaccio registry running on 127.0.0.1 for one test file, with a user allowed to publish `@panelkit/*`. */
export interface LocalRegistry {
  /** The registry's address, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** An `.npmrc` that points the `@panelkit` scope at the registry and holds the publishing user's token. */
  readonly npmrc: string;
  /** Stops the registry (its storage folder is the caller's to remove). */
  stop(): Promise<void>;
}

/** The registry's configuration: only `@panelkit/*` lives here (no uplink), everything else comes from npm as usual. */
function config(folder: string): string {
  return [
    `storage: ${join(folder, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(folder, 'htpasswd')}`,
    '    max_users: 1',
    'uplinks: {}',
    'packages:',
    "  '@panelkit/*':",
    '    access: $all',
    '    publish: $authenticated',
    'log: { type: stdout, format: json, level: warn }',
    '',
  ].join('\n');
}

/** A port on 127.0.0.1 that nothing listens on now (Verdaccio prints the port it was given, so it gets a real one). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Waits for the registry at `url` to answer its ping; fails with Verdaccio's output if it exits first or does not
 * answer within 60 s.
 */
async function listening(child: ChildProcess, url: string, output: string[]): Promise<void> {
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const why =
    child.exitCode === null && child.signalCode === null ? 'did not answer within 60 s' : `exited (${child.exitCode ?? child.signalCode})`;
  throw new Error(`Verdaccio ${why}:\n${output.join('')}`);
}

/**
 * Starts Verdaccio (the workspace's devDependency) on 127.0.0.1 on a port the system picks, with its storage in
 * `folder`, and creates the user the publish runs as. Throws, with Verdaccio's output, when it cannot start.
 */
export async function startLocalRegistry(folder: string): Promise<LocalRegistry> {
  mkdirSync(folder, { recursive: true });
  const configFile = join(folder, 'config.yaml');
  writeFileSync(configFile, config(folder));
  const bin = createRequire(import.meta.url).resolve('verdaccio/bin/verdaccio');
  const url = `http://127.0.0.1:${await freePort()}/`;
  const child = spawn(process.execPath, [bin, '--config', configFile, '--listen', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  };
  try {
    await listening(child, url, output);
    // The user Verdaccio's htpasswd plugin creates on first login; its answer carries the token npm sends.
    const response = await fetch(`${url}-/user/org.couchdb.user:release`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'release', password: 'release-test-password' }),
    });
    const { token } = (await response.json()) as { token?: string };
    if (!response.ok || !token) throw new Error(`Verdaccio refused the user (${response.status})`);
    const npmrc = join(folder, '.npmrc');
    writeFileSync(npmrc, `@panelkit:registry=${url}\n${url.replace(/^http:/, '')}:_authToken=${token}\n`);
    return { url, npmrc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
