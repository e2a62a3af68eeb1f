import { createId } from '@panelkit/sdk';
import { NewAuditEventSchema } from '@panelkit/sdk/schemas';
import { inputRows, parseAuditFilter, parseInput, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import type { Actor, AuditEvent, NewAuditEvent, Page, PageRequest } from '@panelkit/sdk';
import type { TimeKey } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareTimeKeys } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { collectPage, descending } from '../internal/paging.js';
import { ALL, SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';

export interface AuditTables {
  readonly events: Table<AuditEvent>;
  /** Newest-first listing (by `at`): everything, per subject id, per subject type. */
  readonly byAt: SortedIndex<AuditEvent, TimeKey>;
  readonly bySubjectId: SortedIndex<AuditEvent, TimeKey>;
  readonly bySubjectType: SortedIndex<AuditEvent, TimeKey>;
}

function atIndex(partition: (event: AuditEvent) => string): SortedIndex<AuditEvent, TimeKey> {
  return new SortedIndex<AuditEvent, TimeKey>({ partition, key: (e) => timeKey(e.at, e.id), compare: compareTimeKeys });
}

export function createAuditTables(): AuditTables {
  const byAt = atIndex(() => ALL);
  const bySubjectId = atIndex((e) => e.subjectId);
  const bySubjectType = atIndex((e) => e.subjectType);
  return { events: new Table<AuditEvent>('audit event', [], [byAt, bySubjectId, bySubjectType]), byAt, bySubjectId, bySubjectType };
}

export interface AuditFilter {
  subjectType?: string;
  subjectId?: string;
  actor?: Actor['type'];
}

export function auditOperations(tables: AuditTables) {
  const { events } = tables;

  function append(op: Op, input: NewAuditEvent): AuditEvent {
    const parsed = copy(parseInput(NewAuditEventSchema, input, 'audit event'));
    const event: AuditEvent = { ...parsed, id: parsed.id ?? createId('aud'), at: parsed.at ?? op.now };
    events.insert(op.undo, event);
    return copy(event);
  }

  return {
    append,

    /** One by one; the runner undoes the call's writes when one throws, so it is all or none. */
    appendMany(op: Op, inputs: readonly NewAuditEvent[]): AuditEvent[] {
      return inputRows(inputs, 'audit events').map((input) => append(op, input));
    },

    /** Newest first by `at`, then id. Served by the narrowest index the filter allows. */
    list(_op: Op, filter: AuditFilter, page: PageRequest): Page<AuditEvent> {
      const { subjectType, subjectId, actor } = parseAuditFilter(filter);
      const window = parsePageWindow(page, timeCursorCodec);
      const tree =
        subjectId !== undefined
          ? tables.bySubjectId.tree(subjectId)
          : subjectType !== undefined
            ? tables.bySubjectType.tree(subjectType)
            : tables.byAt.tree(ALL);
      return collectPage(descending(tree, window.after), window, timeCursorCodec, ([, id]) => {
        const event = events.load(id);
        if (subjectType !== undefined && event.subjectType !== subjectType) return undefined;
        if (actor !== undefined && event.actor.type !== actor) return undefined;
        return event;
      });
    },
  };
}
