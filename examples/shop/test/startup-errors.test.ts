import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config.js';
import { explainStartupError } from '../src/stack/startup-errors.js';

const SHOP_DIR = resolve(import.meta.dirname, '..');

describe('start-up failures', () => {
  it('are explained in one sentence, including driver errors wrapped by the storage', () => {
    expect(explainStartupError(new ConfigError(['PORT: bad']))).toContain('PORT: bad');
    expect(explainStartupError(Object.assign(new Error('listen'), { code: 'EADDRINUSE' }), { port: 3000 })).toContain(
      'port 3000 is already in use',
    );
    const wrapped = new Error('the database could not complete the operation', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(explainStartupError(wrapped)).toContain('check DATABASE_URL');
    expect(explainStartupError(new Error('something else'))).toBeNull();
  });

  it('a bot without the public address stops `npm start` with the setting named (no panel link is ever its fallback)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shop-bot-no-url-'));
    try {
      const child = spawn(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', 'src/main.ts'], {
        cwd: SHOP_DIR,
        // Only what the process needs: a PUBLIC_URL of the test's own environment must not leak in.
        env: {
          PATH: process.env['PATH'],
          HOME: process.env['HOME'],
          DATA_DIR: dataDir,
          PORT: '0',
          TELEGRAM_BOT_TOKEN: '123456789:AAE-abcdefghijklmnopqrstuvwxyz012345',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => void (stderr += String(chunk)));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain("cannot start: the shop's settings are not valid");
      expect(stderr).toContain('PUBLIC_URLS or PUBLIC_URL: required with TELEGRAM_BOT_TOKEN');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
