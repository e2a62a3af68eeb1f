import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LogSecrets, createLogger, logDestination } from '../src/logging/logger.js';

describe('logs', () => {
  it('blank cookies, auth headers, passwords, tokens, panel credentials and subscription links', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info(
      {
        req: { headers: { cookie: 'pk_session=SECRET1', authorization: 'Bearer pk_SECRET2', 'x-csrf-token': 'SECRET3' } },
        res: { headers: { 'set-cookie': 'pk_session=SECRET4' } },
        body: { password: 'SECRET5', token: 'SECRET6' },
        panel: { credentials: { password: 'SECRET7' } },
        subscription: { subscriptionUrl: 'http://x/sub/SECRET8', shareLinks: ['vless://SECRET9'] },
      },
      'request',
    );
    logger.info(
      {
        password: 'SECRET10',
        token: 'SECRET11',
        credentials: { type: 'token', token: 'SECRET12' },
        subscriptionUrl: 'http://x/sub/SECRET13',
      },
      'top level',
    );
    logger.warn(
      {
        job: { payload: { credentials: { password: 'SECRET14' } } },
        form: { recoveryCodes: ['SECRET15'], _csrf: 'SECRET16' },
        err: { code: 'PANEL_AUTH' },
        row: { sealed: 'pk1.SECRET17' },
      },
      'nested',
    );
    const text = lines.join('');
    expect(text).toContain('[redacted]');
    for (let i = 1; i <= 17; i++) expect(text).not.toContain(`SECRET${i}`);
    // Error codes are no secret and stay readable.
    expect(text).toContain('PANEL_AUTH');
  });
});

describe('readable logs for a person at a terminal', () => {
  /** A terminal-like sink: what a person running `npm start` would read. */
  function terminal(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
    const chunks: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          chunks.push(String(chunk));
          done();
        },
      }),
      { isTTY },
    );
    return { stream, text: () => chunks.join('') };
  }

  it('writes one readable line per event on a terminal (auto) and when asked (pretty), JSON otherwise', () => {
    const tty = terminal(true);
    const logger = createLogger('info', logDestination('auto', tty.stream));
    logger.info({ component: 'http', statusCode: 200 }, 'request completed');
    const line = stripVTControlCharacters(tty.text());
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: request completed \{"component":"http","statusCode":200\}\n$/);
    expect(() => JSON.parse(line)).toThrow();

    const piped = terminal(false);
    expect(logDestination('auto', piped.stream)).toBeUndefined();
    expect(logDestination('json', tty.stream)).toBeUndefined();
    const asked = terminal(false);
    createLogger('info', logDestination('pretty', asked.stream)).warn('panel down');
    expect(asked.text()).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: panel down\n$/);
  });

  it('blanks secrets in the readable format too, at every level', () => {
    const tty = terminal(true);
    const secrets = new LogSecrets();
    secrets.add('bot-token-123456:SECRETVALUE');
    const logger = createLogger('trace', logDestination('pretty', tty.stream), secrets);
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
      logger[level]({ password: 'SECRET-PASSWORD', note: 'calling bot-token-123456:SECRETVALUE' }, `at ${level}`);
    }
    const text = tty.text();
    expect(text).not.toContain('SECRET-PASSWORD');
    expect(text).not.toContain('SECRETVALUE');
    expect(text.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(6);
  });
});
