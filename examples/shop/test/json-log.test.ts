import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from './support/backup-helpers.js';

const SHOP_DIR = resolve(import.meta.dirname, '..');

/** Starts `npm start`'s entry with `env` and stdout on a pipe (no terminal), until it logs its start; everything it wrote. */
async function startAndStop(env: Record<string, string>): Promise<{ stdout: string; code: number | null }> {
  const child = spawn(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: SHOP_DIR,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATA_DIR: tempFolder('json-log'), PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += String(chunk)));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  await new Promise<void>((started, failed) => {
    const timer = setTimeout(() => failed(new Error(`no start within 240 s:\n${stdout}\n${stderr}`)), 240_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      if (/shop is running|is running at/.test(stdout)) {
        clearTimeout(timer);
        started();
      }
    });
    child.once('exit', (code) => failed(new Error(`exited ${code} while starting:\n${stdout}\n${stderr}`)));
  });
  child.kill('SIGTERM');
  const code = await exited;
  return { stdout, code };
}

describe('the web process log', () => {
  it('is only JSON lines when stdout is no terminal: the start banner becomes one log line', async () => {
    const dataDir = tempFolder('json-log');
    const { stdout, code } = await startAndStop({ LOG_FORMAT: 'json', LOG_LEVEL: 'info', DATA_DIR: dataDir });
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const start = lines
      .map((line) => JSON.parse(line) as { msg?: string; url?: string; adminEmail?: string; adminPassword?: string })
      .find((l) => l.msg === 'shop is running');
    expect(start?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).not.toContain('Ctrl+C');
    // The demo admin's login: named with the command that prints its password, which the log never holds.
    expect(start?.adminEmail).toBe('admin@example.com');
    expect(start?.adminPassword).toContain('npm run secrets -- demo-admin');
    const printed = execFileSync(
      process.execPath,
      ['--conditions=@panelkit/source', '--import', 'tsx', 'src/secrets-command.ts', 'demo-admin'],
      {
        cwd: SHOP_DIR,
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATA_DIR: dataDir },
        encoding: 'utf8',
      },
    ).trim();
    const [email, password] = printed.split(' / ');
    expect(email).toBe('admin@example.com');
    expect(password).toMatch(/^\S{12,}$/);
    expect(stdout).not.toContain(password);
    // The human format keeps the banner (test/database-outage.test.ts reads the address from it).
  }, 300_000);
});
