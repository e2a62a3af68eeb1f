import { createId } from '@panelkit/sdk';
import { NewAuditEventSchema } from '@panelkit/sdk/schemas';
import { inputRows, jsonCopy, parseAuditFilter, parseInput, timeKey } from '@panelkit/sdk/storage';
import type { Actor, AuditEvent, NewAuditEvent, PageRequest } from '@panelkit/sdk';
import type { AuditRepository } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import { insertManySql, paramsOfMany } from '../internal/columns.js';
import type { Column } from '../internal/columns.js';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { writeUnread } from '../internal/unread-writes.js';

/** How an audit event is stored, one column per field. */
export const AUDIT_COLUMNS: readonly Column<AuditEvent>[] = [
  ['id', 'text', (e) => e.id],
  ['at', 'timestamptz', (e) => enc.time(e.at)],
  ['actor', 'jsonb', (e) => enc.json(e.actor)],
  ['actor_type', 'text', (e) => e.actor.type],
  ['action', 'text', (e) => e.action],
  ['subject_type', 'text', (e) => e.subjectType],
  ['subject_id', 'text', (e) => e.subjectId],
  ['data', 'jsonb', (e) => enc.json(e.data)],
];

function eventFromRow(r: Row): AuditEvent {
  return {
    id: dec.text(r['id']),
    at: dec.time(r['at']),
    actor: dec.json(r['actor']),
    action: dec.text(r['action']),
    subjectType: dec.text(r['subject_type']),
    subjectId: dec.text(r['subject_id']),
    data: dec.json(r['data']),
  };
}

interface AuditFilter {
  subjectType?: string;
  subjectId?: string;
  actor?: Actor['type'];
}

/** An event as its row reads back: every column is the event's, its JSON as the text sent would parse back. */
function storedEvent(event: AuditEvent): AuditEvent {
  return { ...event, actor: jsonCopy(event.actor), data: jsonCopy(event.data) };
}

/**
 * The append-only audit log in `{schema}.audit_events`, paged newest first by `at`. An append's rows are not read back
 * (the event as stored is the one written), so in a transaction its insert rides on the next statement's round trip or
 * the `COMMIT`'s (`writeUnread`).
 */
export function auditRepository({ runner, schema }: RepositoryContext): AuditRepository {
  const table = `${schema}.audit_events`;
  const events = rowTable(table, 'audit event', AUDIT_COLUMNS, eventFromRow);
  const insert = insertManySql(table, AUDIT_COLUMNS, false);

  async function appendAll(db: SqlQueryable, inputs: readonly NewAuditEvent[], now: Date): Promise<AuditEvent[]> {
    const written = inputs.map((input): AuditEvent => {
      const parsed = parseInput(NewAuditEventSchema, input, 'audit event');
      return { ...parsed, id: parsed.id ?? createId('aud'), at: parsed.at ?? now };
    });
    if (written.length > 0) await writeUnread(db, insert, paramsOfMany(AUDIT_COLUMNS, written));
    return written.map(storedEvent);
  }

  return {
    append: (input: NewAuditEvent) =>
      runner.run(
        'audit.append',
        async ({ db, now }) => (await appendAll(db, [input], now))[0]!,
        // One insert: no BEGIN/COMMIT alone. It fails past its checks only on an id given twice or text the database
        // cannot store: no savepoint in a transaction.
        { autocommit: true, optimistic: true },
      ),

    appendMany: (inputs: readonly NewAuditEvent[]) =>
      runner.run(
        'audit.appendMany',
        async ({ db, now }) => appendAll(db, inputRows(inputs, 'audit events'), now),
        // One multi-row insert, as `append`.
        { autocommit: true, optimistic: true },
      ),

    /** Newest first by `at`, then id. */
    list: (filter: AuditFilter, page: PageRequest) =>
      runner.run(
        'audit.list',
        async ({ db }) => {
          const { subjectType, subjectId, actor } = parseAuditFilter(filter);
          return events.newestFirst(db, page, {
            where:
              '($1::text IS NULL OR subject_type = $1) AND ($2::text IS NULL OR subject_id = $2) AND ($3::text IS NULL OR actor_type = $3)',
            params: [subjectType ?? null, subjectId ?? null, actor ?? null],
            time: 'at',
            key: (e) => timeKey(e.at, e.id),
          });
        },
        { read: true },
      ),
  };
}
