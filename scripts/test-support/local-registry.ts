import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A Verdaccio registry running on 127.0.0.1 for one test file, with a user allowed to publish `@panelkit/*`. */
export interface LocalRegistry {
  /** The registry's address, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** An `.npmrc` that points the `@panelkit` scope at the registry and holds the publishing user's token. */
  readonly npmrc: string;
  /**
   * Publishes a package's tarball (`npm pack`'s) as the publishing user, tagged `latest`, as `npm publish <tarball>`
   * does but over HTTP in this process: an `npm` process a publish cost 0.5–1 s of CPU. Throws with the registry's
   * answer when it refuses.
   */
  publishTarball(tarball: string): Promise<void>;
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

/**
 * The document `npm publish` sends for one version: its manifest with the tarball's address and digests, the tarball
 * attached, and the `latest` tag on it.
 */
function publishDocument(url: string, tarball: string): { name: string; document: unknown } {
  const bytes = readFileSync(tarball);
  // The system's tar, as the packed tests read a tarball's manifest (a few ms, not an npm process's 0.5–1 s).
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })) as {
    name: string;
    version: string;
    [field: string]: unknown;
  };
  const { name, version } = manifest;
  const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
  const dist = {
    shasum: createHash('sha1').update(bytes).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    tarball: `${url}${name}/-/${file}`,
  };
  return {
    name,
    document: {
      _id: name,
      name,
      'dist-tags': { latest: version },
      versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist } },
      _attachments: { [file]: { content_type: 'application/octet-stream', data: bytes.toString('base64'), length: bytes.length } },
    },
  };
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
    const publishTarball = async (tarball: string) => {
      const { name, document } = publishDocument(url, tarball);
      const published = await fetch(new URL(name.replace('/', '%2f'), url), {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(document),
      });
      if (!published.ok) throw new Error(`the registry refused ${tarball} (${published.status}): ${await published.text()}`);
    };
    return { url, npmrc, publishTarball, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
