import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index.js';
import {
  definedFields,
  idCursorCodec,
  inputKey,
  isSameLedgerRequest,
  parseClaimRequest,
  parseDueQuery,
  parsePageWindow,
  parsePanelIdFilter,
  parsePanelStatusFilter,
  parseRetryDecision,
  timeCursorCodec,
  timeKey,
} from '../src/storage.js';
import type { LedgerEntry } from '../src/index.js';

function issuesOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { message: (error as ValidationError).message, issues: (error as ValidationError).issues };
  }
  throw new Error('expected a ValidationError');
}

describe('storage input helpers', () => {
  it('cursors round-trip their key and refuse anything they did not make', () => {
    const key = timeKey(new Date('2026-01-02T03:04:05.678Z'), 'sub_1');
    expect(timeCursorCodec.decode(timeCursorCodec.encode(key))).toEqual([Date.parse('2026-01-02T03:04:05.678Z'), 'sub_1']);
    expect(idCursorCodec.decode(idCursorCodec.encode('c_9'))).toBe('c_9');
    const notACursor = {
      message: 'invalid cursor: it was not returned by this query',
      issues: [{ path: 'cursor', message: 'not a cursor returned by this query' }],
    };
    expect(issuesOf(() => timeCursorCodec.decode(idCursorCodec.encode('c_9')))).toEqual(notACursor);
    expect(issuesOf(() => idCursorCodec.decode('%%%'))).toEqual(notACursor);
    expect(parsePageWindow({ limit: 5, cursor: idCursorCodec.encode('c_9') }, idCursorCodec)).toEqual({ limit: 5, after: 'c_9' });
    expect(parsePageWindow({ limit: 5 }, idCursorCodec)).toEqual({ limit: 5, after: undefined });
  });

  it('a first page is checked by hand as the schema checks it: the same windows, the same refusals', () => {
    expect(parsePageWindow({ limit: 1, cursor: null }, idCursorCodec)).toEqual({ limit: 1, after: undefined });
    expect(parsePageWindow({ limit: 1000 }, timeCursorCodec)).toEqual({ limit: 1000, after: undefined });
    for (const bad of [{ limit: 0 }, { limit: 1001 }, { limit: 2.5 }, { limit: '5' }, { limit: Number.NaN }, {}, null, [], 5]) {
      expect(
        issuesOf(() => parsePageWindow(bad as never, idCursorCodec)),
        JSON.stringify(bad),
      ).toMatchObject({
        message: expect.stringMatching(/^invalid page request/),
      });
    }
  });

  it('checks report what and where', () => {
    expect(issuesOf(() => inputKey(7, 'customer id'))).toEqual({
      message: 'invalid customer id: (root): must be a string',
      issues: [{ path: '(root)', message: 'must be a string' }],
    });
    expect(issuesOf(() => parseRetryDecision(null as never))).toEqual({
      message: "invalid retry: (root): must be { at: Date } or 'dead'",
      issues: [{ path: '(root)', message: "must be { at: Date } or 'dead'" }],
    });
    expect(definedFields({ a: 1, b: undefined, c: null })).toEqual({ a: 1, c: null });
  });

  it('claim types and statuses lose their repeats; absent ones mean all', () => {
    expect(parseClaimRequest({ workerId: 'w', limit: 2, leaseMs: 1000, types: ['a', 'b', 'a'] }).types).toEqual(['a', 'b']);
    expect(parseClaimRequest({ workerId: 'w', limit: 2, leaseMs: 1000 }).types).toBeNull();
    expect(parseClaimRequest({ workerId: 'w', limit: 7, leaseMs: 1000 }).batchLimit).toBe(7);
    expect(parseClaimRequest({ workerId: 'w', limit: 7, leaseMs: 1000, batchLimit: 3 }).batchLimit).toBe(3);
    expect(parsePanelStatusFilter({ statuses: ['active', 'active'] })).toEqual(['active']);
    expect(parsePanelStatusFilter({})).toHaveLength(parsePanelStatusFilter({ statuses: undefined }).length);
    expect(parsePanelIdFilter(undefined, 'target filter')).toBeUndefined();
    expect(issuesOf(() => parsePanelIdFilter({ panelId: 1 as never }, 'target filter'))).toEqual({
      message: 'invalid target filter panelId: (root): must be a string',
      issues: [{ path: '(root)', message: 'must be a string' }],
    });
  });

  it('due queries copy their dates and refuse unknown kinds', () => {
    const to = new Date('2026-03-01T00:00:00Z');
    const parsed = parseDueQuery({ kind: 'expiring', statuses: ['active'], to });
    expect(parsed).toEqual({ kind: 'expiring', statuses: ['active'], from: undefined, to });
    expect(parsed.kind === 'expiring' && parsed.to).not.toBe(to);
    expect(issuesOf(() => parseDueQuery({ kind: 'soon' } as never))).toEqual({
      message: 'invalid due query: kind: must be expiring, over_limit, first_use or stale_status',
      issues: [{ path: 'kind', message: 'must be expiring, over_limit, first_use or stale_status' }],
    });
  });

  it('a ledger replay matches on customer, kind, amount and currency', () => {
    const existing = { customerId: 'c', kind: 'top_up', amount: 5, currency: 'USD' } as unknown as LedgerEntry;
    const request = { customerId: 'c', kind: 'top_up', amount: 5, currency: 'USD', idempotencyKey: 'k' } as unknown as Parameters<
      typeof isSameLedgerRequest
    >[1];
    expect(isSameLedgerRequest(existing, request)).toBe(true);
    expect(isSameLedgerRequest(existing, { ...request, amount: 6 })).toBe(false);
  });
});
