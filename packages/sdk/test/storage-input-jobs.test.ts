import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../src/index.js';
import { NewJobSchema } from '../src/schemas.js';
import { jsonCopy, parseNewJob, parseNewJobs } from '../src/storage.js';
import type { JsonValue, NewJob } from '../src/index.js';
import { parseInput } from '../src/domain/validate.js';
import { badJobRows, edgeJobRows } from '../src/testing/storage/jobs-rows.js';
import { seeded } from './seeded.js';

/** What a parse gives: its value, or the `ValidationError`'s message and issues. */
function outcome(parse: () => unknown): unknown {
  try {
    return { value: parse() };
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    return { message: error.message, issues: error.issues };
  }
}

/** Each field's candidates, good and bad, the first one good; `undefined` leaves the field out. */
const FIELDS: Record<string, readonly unknown[]> = {
  type: ['a', 'job.sync', 'a'.repeat(100), 'a'.repeat(101), 'A.b', 'a..b', '', 5, undefined],
  id: [undefined, 'j', 'i'.repeat(128), 'i'.repeat(129), '', null, 3],
  payload: [undefined, {}, { n: 1 }, { a: [1, { b: null }] }, null, [], { n: Number.NaN }, { d: new Date(0) }, new Date(0), 'x'],
  dedupeKey: [undefined, null, 'k', 'k'.repeat(300), 'k'.repeat(301), '', 0],
  serialKey: [undefined, null, 's', '', false],
  batchKey: [undefined, null, 'b', 'b'.repeat(301)],
  priority: [undefined, 0, -1000, 1000, 1001, -1001, 0.5, Number.NaN, Number.NEGATIVE_INFINITY, '0', null],
  runAt: [undefined, new Date(0), new Date(Number.NaN), '2026-01-01', 0, null],
  maxAttempts: [undefined, 1, 1000, 0, 1001, 1.5, null],
  extra: [undefined, 'dropped'],
};

function randomRow(next: () => number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [field, values] of Object.entries(FIELDS)) {
    // Mostly good values, so rows with one fault (the hard ones) are common.
    const value = next() < 0.7 ? values[0] : values[Math.floor(next() * values.length)];
    if (value !== undefined) row[field] = value;
  }
  return row;
}

describe('parseNewJob: NewJobSchema checked by hand', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives what NewJobSchema gives for every row, good or bad: the same value or the same ValidationError', () => {
    const rows: [string, unknown][] = [
      ...Object.entries(badJobRows()),
      ...Object.entries(edgeJobRows()),
      ...Array.from({ length: 5000 }, (_, i): [string, unknown] => [`random ${i}`, randomRow(seeded(i + 1))]),
    ];
    for (const [name, row] of rows) {
      expect(
        outcome(() => parseNewJob(row as NewJob, 'job')),
        name,
      ).toEqual(outcome(() => parseInput(NewJobSchema, row, 'job')));
      expect(
        outcome(() => parseNewJobs([{ type: 'a' }, row as NewJob])[1]),
        name,
      ).toEqual(outcome(() => parseInput(NewJobSchema, row, 'job 1')));
    }
  });

  it('leaves a good row to zod never: the schema runs only for a row the hand check refuses', () => {
    const safeParse = vi.spyOn(NewJobSchema, 'safeParse');
    const good = { type: 'job.sync', payload: { n: 1 }, dedupeKey: 'k', priority: 3, runAt: new Date(0), maxAttempts: 2 };
    expect(parseNewJobs([good, { type: 'a' }])).toEqual([
      { ...good, serialKey: null, batchKey: null },
      { type: 'a', payload: {}, dedupeKey: null, serialKey: null, batchKey: null, priority: 0, maxAttempts: 10 },
    ]);
    expect(safeParse).not.toHaveBeenCalled();
    expect(() => parseNewJob({ type: 'Bad' }, 'job')).toThrow(ValidationError);
    expect(safeParse).toHaveBeenCalledTimes(1);
  });

  it("copies the payload object (its values are the caller's) and the row's own fields only", () => {
    const payload = { nested: { n: 1 } };
    const parsed = parseNewJob({ type: 'a', payload, state: 'dead' } as NewJob, 'job');
    expect(parsed.payload).not.toBe(payload);
    expect(parsed.payload['nested']).toBe(payload.nested);
    expect(parsed).not.toHaveProperty('state');
  });

  it('refuses more than 1 000 rows as every …Many call does', () => {
    expect(() => parseNewJobs(Array.from({ length: 1001 }, () => ({ type: 'a' })))).toThrow(/at most 1000 items/);
  });
});

describe('jsonCopy: a JSON value as JSON.parse(JSON.stringify(value)) gives it', () => {
  it('gives the round trip, -0, holes and __proto__ keys included, and none of the original objects', () => {
    const values: unknown[] = [
      { n: -0, a: [-0, 0, 1e21, 5e-324, -1.5] },
      // biome-ignore lint/suspicious/noSparseArray: a hole, as JSON writes null for it
      [1, , 3],
      JSON.parse('{"__proto__":{"x":[1,{"__proto__":2}]},"a":1}'),
      { s: 'é\u2028\ud83d\ude00"\\', t: true, f: false, z: null, e: {}, l: [] },
      { deep: { a: [[{ b: [{ c: 'd' }] }]] } },
      'text',
      7,
      null,
      ...Object.values(edgeJobRows()).map((row) => row.payload ?? {}),
    ];
    for (const value of values) {
      const copied = jsonCopy(value as JsonValue);
      const trip: unknown = JSON.parse(JSON.stringify(value));
      expect(copied).toStrictEqual(trip);
      expect(JSON.stringify(copied)).toBe(JSON.stringify(trip));
      if (typeof value === 'object' && value !== null) {
        expect(copied).not.toBe(value);
        expect(Object.getPrototypeOf(copied)).toBe(Object.getPrototypeOf(trip));
      }
    }
    const nested = { a: { b: [1] } };
    const copied = jsonCopy(nested);
    expect(copied.a).not.toBe(nested.a);
    expect(copied.a.b).not.toBe(nested.a.b);
  });
});
