/** Every factory takes `auth: { username, password } | { token }` and refuses a shape its panel cannot use when it is built. */
import { ConfigurationError } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { createMarzbanAdapter, createMarzneshinAdapter, createSuiAdapter, createXuiAdapter } from '../src/index.js';

const baseUrl = 'http://panel.test/';
const login = { username: 'admin', password: 'pw-secret' };
const token = { token: 'tok-secret' };

function refused(build: () => unknown): ConfigurationError {
  try {
    build();
  } catch (error) {
    if (ConfigurationError.is(error)) return error;
    throw error;
  }
  throw new Error('the factory accepted the credentials');
}

describe('adapter credentials: one shape for all four factories', () => {
  it('each factory accepts the auth its panel takes', () => {
    expect(createXuiAdapter({ baseUrl, auth: login }).kind).toBe('3x-ui');
    expect(createXuiAdapter({ baseUrl, auth: token }).kind).toBe('3x-ui');
    expect(createSuiAdapter({ baseUrl, auth: token }).kind).toBe('s-ui');
    expect(createMarzbanAdapter({ baseUrl, auth: login }).kind).toBe('marzban');
    expect(createMarzneshinAdapter({ baseUrl, auth: login }).kind).toBe('marzneshin');
  });

  it('a shape the panel cannot use, or the old top-level fields, is a ConfigurationError that holds no secret', () => {
    const wrong: (() => unknown)[] = [
      () => createSuiAdapter({ baseUrl, auth: login as never }),
      () => createSuiAdapter({ baseUrl, token: 'tok-secret' } as never),
      () => createMarzbanAdapter({ baseUrl, auth: token as never }),
      () => createMarzbanAdapter({ baseUrl, username: 'admin', password: 'pw-secret' } as never),
      () => createMarzneshinAdapter({ baseUrl, auth: token as never }),
      () => createXuiAdapter({ baseUrl, auth: { username: 'admin', password: '' } }),
      () => createXuiAdapter({ baseUrl } as never),
    ];
    for (const build of wrong) {
      const error = refused(build);
      expect(error.message).toMatch(/auth needs/);
      expect(JSON.stringify(error)).not.toMatch(/secret/);
    }
  });
});
