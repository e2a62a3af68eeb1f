import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config.js';
import { explainStartupError } from '../src/stack/startup-errors.js';

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
});
