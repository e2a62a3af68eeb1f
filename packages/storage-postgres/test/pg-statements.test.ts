import { describe, expect, it } from 'vitest';
import { type StatementPlan, planStatement, statementFailed, statementName } from '../src/drivers/pg-statements.js';

/** `name`'s plan on `connection`, its text the name itself. */
const plan = (connection: object, name: string, max: number): StatementPlan => planStatement(connection, name, name, max)!;

/** A server error as node-postgres gives it. */
const refused = (code: string) => Object.assign(new Error(code), { code });

describe('the named statements of one connection (pg-statements)', () => {
  it('names a text the same way every time, and two texts apart', () => {
    expect(statementName('SELECT $1')).toBe(statementName('SELECT $1'));
    expect(statementName('SELECT $1')).not.toBe(statementName('SELECT $2'));
    expect(statementName('SELECT $1')).toMatch(/^panelkit_[0-9a-f]{16}$/);
  });

  it('sends unnamed a text whose name another text holds on the connection', () => {
    const connection = {};
    expect(planStatement(connection, 'panelkit_same', 'SELECT $1', 5)).toMatchObject({ parse: true });
    expect(planStatement(connection, 'panelkit_same', 'SELECT $2', 5)).toBeUndefined();
    expect(planStatement(connection, 'panelkit_same', 'SELECT $1', 5)).toMatchObject({ parse: false });
  });

  it('parses a statement the first time only, and closes the least recently used past the bound', () => {
    const connection = {};
    expect(plan(connection, 'a', 2)).toMatchObject({ parse: true, close: [] });
    expect(plan(connection, 'b', 2)).toMatchObject({ parse: true, close: [] });
    expect(plan(connection, 'a', 2)).toMatchObject({ parse: false, close: [] });
    // `b` is now the least recently used.
    expect(plan(connection, 'c', 2)).toMatchObject({ parse: true, close: ['b'] });
    expect(plan(connection, 'a', 2)).toMatchObject({ parse: false, close: [] });
    expect(plan(connection, 'b', 2)).toMatchObject({ parse: true, close: ['c'] });
    // Another connection has its own.
    expect(plan({}, 'a', 2)).toMatchObject({ parse: true, close: [] });
  });

  it('after a failed Parse, closes the name and parses it again; after a refusal of a bound one, too', () => {
    const connection = {};
    const first = plan(connection, 'a', 5);
    expect(statementFailed(connection, first, refused('42P01'))).toBe(false);
    expect(plan(connection, 'a', 5)).toMatchObject({ parse: true, close: ['a'] });
    // A bound statement refused for what it did (a unique violation) stays prepared.
    const bound = plan(connection, 'a', 5);
    expect(statementFailed(connection, bound, refused('23505'))).toBe(false);
    expect(plan(connection, 'a', 5)).toMatchObject({ parse: false, close: [] });
    // Gone from the server (26000): sending it again cures it.
    const gone = plan(connection, 'a', 5);
    expect(statementFailed(connection, gone, refused('26000'))).toBe(true);
    expect(plan(connection, 'a', 5)).toMatchObject({ parse: true, close: ['a'] });
    // The name taken on the server (42P05) although not booked here: closed, then parsed.
    plan(connection, 'b', 5);
    const taken = plan(connection, 'c', 5);
    expect(statementFailed(connection, taken, refused('42P05'))).toBe(true);
    expect(plan(connection, 'c', 5)).toMatchObject({ parse: true, close: ['c'] });
  });

  it('after a stale plan (0A000) on one connection, prepares every statement anew on every connection, once', () => {
    const one = {};
    const other = {};
    plan(one, 'a', 5);
    plan(other, 'a', 5);
    plan(other, 'b', 5);
    const stale = plan(one, 'a', 5);
    expect(stale.parse).toBe(false);
    expect(statementFailed(one, stale, refused('0A000'))).toBe(true);
    expect(plan(one, 'a', 5)).toMatchObject({ parse: true, close: ['a'] });
    expect(plan(other, 'a', 5)).toMatchObject({ parse: true, close: ['a'] });
    expect(plan(other, 'b', 5)).toMatchObject({ parse: true, close: ['b'] });
    expect(plan(other, 'a', 5)).toMatchObject({ parse: false, close: [] });
    // The same refusal of a copy prepared before it, reported late, does not start another round.
    const late = { ...stale };
    expect(statementFailed(other, late, refused('0A000'))).toBe(true);
    expect(plan(other, 'b', 5)).toMatchObject({ parse: false, close: [] });
    // A 0A000 of a statement parsed in the same round trip is the statement's own (a feature not supported).
    const fresh = plan(one, 'new', 5);
    expect(statementFailed(one, fresh, refused('0A000'))).toBe(false);
  });
});
