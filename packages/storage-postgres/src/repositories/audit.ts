import { NewAuditEventSchema, createId } from '@panelkit/sdk';
import { parseAuditFilter, parseInput, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage-kit';
import type { Actor, AuditEvent, AuditRepository, NewAuditEvent, PageRequest } from '@panelkit/sdk';
import { insertSql, paramsOf } from '../internal/columns.js';
import type { Column } from '../internal/columns.js';
import { timeBound, toPage } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

const COLUMNS: readonly Column<AuditEvent>[] = [
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

export function auditRepository({ runner, schema }: RepositoryContext): AuditRepository {
  const table = `${schema}.audit_events`;
  return {
    append: (input: NewAuditEvent) =>
      runner.run('audit.append', async ({ db, now }) => {
        const parsed = parseInput(NewAuditEventSchema, input, 'audit event');
        const event: AuditEvent = { ...parsed, id: parsed.id ?? createId('aud'), at: parsed.at ?? now };
        return eventFromRow((await db.query(insertSql(table, COLUMNS), paramsOf(COLUMNS, event))).rows[0]!);
      }),

    /** Newest first by `at`, then id. */
    list: (filter: AuditFilter, page: PageRequest) =>
      runner.run(
        'audit.list',
        async ({ db }) => {
          const { subjectType, subjectId, actor } = parseAuditFilter(filter);
          const window = parsePageWindow(page, timeCursorCodec);
          const { rows } = await db.query(
            `SELECT * FROM ${table}
             WHERE ($1::text IS NULL OR subject_type = $1) AND ($2::text IS NULL OR subject_id = $2) AND ($3::text IS NULL OR actor_type = $3)
               AND (at, id) < ($4::timestamptz, $5::text)
             ORDER BY at DESC, id DESC LIMIT $6`,
            [subjectType ?? null, subjectId ?? null, actor ?? null, ...timeBound(window.after, 'desc'), window.limit + 1],
          );
          return toPage(rows.map(eventFromRow), window, timeCursorCodec, (e) => timeKey(e.at, e.id));
        },
        { read: true },
      ),
  };
}
