import { describe, expect, it } from 'vitest';
import { isUpdateEnvelope } from '../src/telegram/webhook.js';

describe('isUpdateEnvelope', () => {
  it.each([
    ['a message update', { update_id: 0, message: { text: 'hi' } }, true],
    ['a payload that is an array', { update_id: 7, poll_answer: [] }, true],
    ['the largest safe id', { update_id: Number.MAX_SAFE_INTEGER, callback_query: {} }, true],
    ['no payload', { update_id: 6 }, false],
    ['a null payload only', { update_id: 6, message: null }, false],
    ['a text payload only', { update_id: 6, message: 'x' }, false],
    ['a string id', { update_id: '12', message: {} }, false],
    ['a negative id', { update_id: -1, message: {} }, false],
    ['a fractional id', { update_id: 1.5, message: {} }, false],
    ['an id past the safe integers', { update_id: 2 ** 53, message: {} }, false],
    ['an id of 1e300', { update_id: 1e300, message: {} }, false],
    ['no id', { message: {} }, false],
    ['an array of updates', [{ update_id: 5, message: {} }], false],
    ['null', null, false],
    ['a string', 'update_id=7', false],
  ])('%s: %s', (_name, body, expected) => {
    expect(isUpdateEnvelope(body)).toBe(expected);
  });

  it('counts only own fields as a payload', () => {
    const inherited = Object.create({ message: {} }) as Record<string, unknown>;
    inherited['update_id'] = 3;
    expect(isUpdateEnvelope(inherited)).toBe(false);
  });
});
