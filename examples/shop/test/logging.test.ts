import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/stack/logger.js';

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
