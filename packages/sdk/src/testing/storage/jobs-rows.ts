import { describe, expect, it } from 'vitest';
import { NewJobSchema } from '../../domain/job.js';
import type { NewJob } from '../../domain/job.js';
import { parseInput } from '../../domain/validate.js';
import { ValidationError } from '../../errors.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

const TYPE = 'conformance.job';

/** A class instance: JSON would not round-trip it. */
class Point {
  constructor(readonly x = 1) {}
}

/**
 * Rows `NewJobSchema` refuses, one fault each, by name: every field's wrong types and bounds, and payloads that are
 * not plain JSON. A storage's check of a row must refuse each with the schema's own error.
 */
export function badJobRows(): Record<string, unknown> {
  return {
    'not an object': 'job',
    null: null,
    'an array': [TYPE],
    'no type': { payload: {} },
    'a type not dotted lower-case words': { type: 'Bad Type' },
    'an empty type': { type: '' },
    'a type ending in a dot': { type: 'conformance.' },
    'a type of 101 characters': { type: 'a'.repeat(101) },
    'a type not a string': { type: 5 },
    'an empty id': { type: TYPE, id: '' },
    'an id of 129 characters': { type: TYPE, id: 'i'.repeat(129) },
    'a null id': { type: TYPE, id: null },
    'an id not a string': { type: TYPE, id: 7 },
    'an empty dedupe key': { type: TYPE, dedupeKey: '' },
    'a dedupe key of 301 characters': { type: TYPE, dedupeKey: 'k'.repeat(301) },
    'a dedupe key not a string': { type: TYPE, dedupeKey: 5 },
    'an empty serial key': { type: TYPE, serialKey: '' },
    'a serial key of false': { type: TYPE, serialKey: false },
    'a batch key of 301 characters': { type: TYPE, batchKey: 'b'.repeat(301) },
    'a priority above 1000': { type: TYPE, priority: 1001 },
    'a priority below -1000': { type: TYPE, priority: -1001 },
    'a fractional priority': { type: TYPE, priority: 1.5 },
    'a NaN priority': { type: TYPE, priority: Number.NaN },
    'an infinite priority': { type: TYPE, priority: Number.POSITIVE_INFINITY },
    'a priority as text': { type: TYPE, priority: '1' },
    'a null priority': { type: TYPE, priority: null },
    'zero attempts': { type: TYPE, maxAttempts: 0 },
    '1001 attempts': { type: TYPE, maxAttempts: 1001 },
    'fractional attempts': { type: TYPE, maxAttempts: 2.5 },
    'null attempts': { type: TYPE, maxAttempts: null },
    'an invalid date': { type: TYPE, runAt: new Date(Number.NaN) },
    'a run time as text': { type: TYPE, runAt: '2026-01-01T00:00:00Z' },
    'a run time as a number': { type: TYPE, runAt: 0 },
    'a null run time': { type: TYPE, runAt: null },
    'a null payload': { type: TYPE, payload: null },
    'an array payload': { type: TYPE, payload: [1] },
    'a text payload': { type: TYPE, payload: 'x' },
    'a Map payload': { type: TYPE, payload: new Map([['a', 1]]) },
    'a class instance payload': { type: TYPE, payload: new Point() },
    'a payload holding NaN': { type: TYPE, payload: { n: Number.NaN } },
    'a payload holding undefined': { type: TYPE, payload: { n: undefined } },
    'a payload holding a Date': { type: TYPE, payload: { at: new Date(0) } },
    'a payload holding a class instance deep down': { type: TYPE, payload: { a: [{ p: new Point() }] } },
    'a payload holding a function': { type: TYPE, payload: { f: () => 1 } },
    'a payload holding a bigint': { type: TYPE, payload: { n: 1n } },
    'a payload with a symbol key': { type: TYPE, payload: { [Symbol('s')]: 1 } },
    'two faults': { type: 'Bad', priority: 5000 },
  };
}

/**
 * Rows `NewJobSchema` accepts at the edges of its bounds, or reads apart (fields it drops, a payload's `__proto__`
 * key and non-enumerable keys, a null-prototype payload), by name.
 */
export function edgeJobRows(): Record<string, NewJob> {
  const hidden: Record<string, unknown> = { shown: 1 };
  Object.defineProperty(hidden, 'hidden', { value: 2, enumerable: false });
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: [1, 'x', null, { b: true }] });
  return {
    'the longest type, id and keys': {
      type: 'a'.repeat(100),
      id: 'i'.repeat(128),
      dedupeKey: 'k'.repeat(300),
      serialKey: 's'.repeat(300),
      batchKey: 'b'.repeat(300),
    },
    'the shortest id and keys': { type: 'a', id: 'j', dedupeKey: 'k', serialKey: 's', batchKey: 'b' },
    'the lowest priority, one attempt': { type: TYPE, priority: -1000, maxAttempts: 1 },
    'the highest priority, 1000 attempts': { type: TYPE, priority: 1000, maxAttempts: 1000 },
    'keys given as null': { type: TYPE, dedupeKey: null, serialKey: null, batchKey: null },
    'fields given as undefined': { type: TYPE, payload: undefined, priority: undefined, runAt: undefined, maxAttempts: undefined },
    'fields the schema does not know': { type: TYPE, payload: { n: 1 }, state: 'dead', attempts: 9 } as NewJob,
    'a null-prototype payload': { type: TYPE, payload: bare as NewJob['payload'] },
    'a payload with a non-enumerable key': { type: TYPE, payload: hidden as NewJob['payload'] },
    'a payload with its own __proto__ key': { type: TYPE, payload: JSON.parse('{"__proto__":{"x":1},"a":1}') },
    'a payload of nested JSON': { type: TYPE, payload: { a: [1, [2, { b: 'c' }]], d: { e: null, f: false, g: -1.5 } } },
  };
}

function zodIssues(row: unknown, what: string): unknown {
  try {
    parseInput(NewJobSchema, row, what);
  } catch (error) {
    if (ValidationError.is(error)) return { message: error.message, issues: error.issues };
    throw error;
  }
  throw new Error(`NewJobSchema accepts the row "${what}"`);
}

function issuesOf(error: unknown): unknown {
  const { message, issues } = error as ValidationError;
  return { message, issues };
}

/**
 * A job row's check, held to `NewJobSchema` in `enqueue` and `enqueueMany`: each bad row refused with the schema's
 * own error and nothing written; each row at the edges stored as the schema reads it.
 */
export function jobsRowsSuite(env: SuiteEnv): void {
  describe('jobs: the check of a row to enqueue is NewJobSchema', () => {
    it("a bad row is refused with the schema's own ValidationError, in enqueue and in enqueueMany, and writes nothing", async () => {
      const { storage } = env;
      for (const [name, row] of Object.entries(badJobRows())) {
        const single = await expectRejects(storage.jobs.enqueue(row as NewJob), 'ValidationError');
        expect(issuesOf(single), name).toEqual(zodIssues(row, 'job'));
        const many = await expectRejects(storage.jobs.enqueueMany([{ type: TYPE }, row as NewJob]), 'ValidationError');
        expect(issuesOf(many), name).toEqual(zodIssues(row, 'job 1'));
      }
      expect((await storage.jobs.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('a row at the edges is stored as the schema reads it, by enqueue and by enqueueMany', async () => {
      const { storage, clock } = env;
      const rows = Object.entries(edgeJobRows());
      // Each row twice: by enqueue, then by enqueueMany under another id and dedupe key (the first is stored).
      const again = (row: NewJob, n: number): NewJob => ({
        ...row,
        ...(row.id === undefined ? {} : { id: `${row.id.slice(0, 120)}-m${n}` }),
        ...(row.dedupeKey == null ? {} : { dedupeKey: `${row.dedupeKey.slice(0, 290)}-m${n}` }),
      });
      const singles = [];
      for (const [, row] of rows) singles.push(await storage.jobs.enqueue(row));
      const many = await storage.jobs.enqueueMany(rows.map(([, row], n) => again(row, n)));
      for (const [n, [name, row]] of rows.entries()) {
        for (const [result, input] of [
          [singles[n]!, row],
          [many[n]!, again(row, n)],
        ] as const) {
          const expected = parseInput(NewJobSchema, input, name);
          expect(result.created, name).toBe(true);
          expect(result.job, name).toMatchObject({
            type: expected.type,
            payload: { ...expected.payload },
            dedupeKey: expected.dedupeKey,
            serialKey: expected.serialKey,
            batchKey: expected.batchKey,
            priority: expected.priority,
            maxAttempts: expected.maxAttempts,
            runAt: expected.runAt ?? clock.now(),
            state: 'queued',
            attempts: 0,
          });
          if (expected.id !== undefined) expect(result.job.id, name).toBe(expected.id);
          expect(Object.keys(result.job.payload).sort(), name).toEqual(Object.keys(expected.payload).sort());
        }
      }
    });
  });
}
