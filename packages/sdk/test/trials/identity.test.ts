import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { hwidTrialKey, normalizeTrialEmail, trialIdentityKeys } from '../../src/trials.js';

describe('normalizeTrialEmail', () => {
  it.each([
    ['Joe@Example.com', 'joe@example.com'],
    ['joe+trial2@example.com', 'joe@example.com'],
    ['j.o.e+x@gmail.com', 'joe@gmail.com'],
    ['J.O.E@GoogleMail.com', 'joe@gmail.com'],
    ['j.o.e@example.com', 'j.o.e@example.com'],
    ['  joe@example.com ', 'joe@example.com'],
    ['+x@example.com', null],
    ['no-at-sign', null],
    ['@example.com', null],
    ['joe@', null],
  ])('%s → %s', (input, expected) => {
    expect(normalizeTrialEmail(input)).toBe(expected);
  });
});

describe('trialIdentityKeys', () => {
  it('an alias of the same e-mail and the same Telegram id give the same keys; nothing readable is kept', () => {
    const a = trialIdentityKeys({ email: 'joe@example.com', telegramId: '42' });
    const b = trialIdentityKeys({ email: 'joe+second@example.com', telegramId: '42' });
    expect(a).toEqual(b);
    expect(a.map((k) => k.kind)).toEqual(['telegram', 'email']);
    for (const k of a) {
      expect(k.key).toMatch(/^(telegram|email):[0-9a-f]{64}$/);
      expect(k.key).not.toContain('joe');
    }
  });

  it('a verified phone and device ids add keys; a device id is the same key at checkout and on the link', () => {
    const keys = trialIdentityKeys({ email: null, telegramId: null }, { phone: '+989121234567', hwids: ['dev-1', 'dev-1', ' dev-2 '] });
    expect(keys.map((k) => k.kind)).toEqual(['phone', 'hwid', 'hwid']);
    expect(keys[1]).toEqual(hwidTrialKey('dev-1'));
    expect(keys[2]).toEqual(hwidTrialKey('dev-2'));
  });

  it('a Telegram id the host linked gives the same key as a customer created with it, once', () => {
    const linked = trialIdentityKeys({ email: null, telegramId: null }, { telegramId: '42' });
    expect(linked).toEqual(trialIdentityKeys({ email: null, telegramId: '42' }));
    expect(trialIdentityKeys({ email: null, telegramId: '42' }, { telegramId: '42' })).toEqual(linked);
  });

  it('a customer with neither e-mail nor Telegram id and no identity has no keys', () => {
    expect(trialIdentityKeys({ email: null, telegramId: null })).toEqual([]);
  });

  it.each([
    [{ phone: '0912' }],
    [{ phone: '+0123456789' }],
    [{ hwids: [''] }],
    [{ hwids: Array.from({ length: 11 }, (_, i) => `d${i}`) }],
    [{ other: 1 }],
  ])('refuses a bad identity %j with a ValidationError', (identity) => {
    expect(() => trialIdentityKeys({ email: null, telegramId: null }, identity as never)).toThrow(ValidationError);
  });
});
