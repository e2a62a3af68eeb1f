import { createId } from '@panelkit/sdk';
import { NewTargetSchema, TargetPatchSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput, parsePanelIdFilter } from '@panelkit/sdk/storage';
import type { NewTarget, Panel, Target, TargetPatch } from '@panelkit/sdk';
import { copy } from '../internal/copy.js';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex, compositeKey } from '../internal/unique-index.js';

export interface TargetTables {
  readonly targets: Table<Target>;
  readonly byRemoteRef: UniqueIndex<Target>;
}

export function createTargetTables(): TargetTables {
  const byRemoteRef = new UniqueIndex<Target>('a target with this panel and remote reference', (t) => compositeKey(t.panelId, t.remoteRef));
  return { targets: new Table<Target>('target', [byRemoteRef]), byRemoteRef };
}

function compareTargets(a: Target, b: Target): number {
  return compareStrings(a.panelId, b.panelId) || compareStrings(a.name, b.name) || compareStrings(a.id, b.id);
}

export function targetOperations({ targets, byRemoteRef }: TargetTables, panels: Table<Panel>) {
  return {
    create(op: Op, input: NewTarget): Target {
      const parsed = copy(parseInput(NewTargetSchema, input, 'target'));
      panels.require(parsed.panelId);
      const target: Target = { ...parsed, id: parsed.id ?? createId('tgt'), allocated: 0, createdAt: op.now, updatedAt: op.now };
      targets.insert(op.undo, target);
      return copy(target);
    },

    get(_op: Op, id: string): Target | null {
      const target = targets.get(inputKey(id, 'target id'));
      return target === undefined ? null : copy(target);
    },

    getByRemoteRef(_op: Op, panelId: string, remoteRef: string): Target | null {
      const id = byRemoteRef.lookup(compositeKey(inputKey(panelId, 'panel id'), inputKey(remoteRef, 'remote reference')));
      return id === undefined ? null : copy(targets.load(id));
    },

    list(_op: Op, filter?: { panelId?: string }): Target[] {
      const wanted = parsePanelIdFilter(filter, 'target filter');
      const rows = [...targets.values()].filter((t) => wanted === undefined || t.panelId === wanted);
      return rows.sort(compareTargets).map(copy);
    },

    /** `allocated` is not in the patch schema, so an update can never move it. */
    update(op: Op, id: string, patch: TargetPatch): Target {
      const changes = definedFields(copy(parseInput(TargetPatchSchema, patch, 'target patch')));
      const before = targets.require(inputKey(id, 'target id'));
      const after: Target = { ...before, ...changes, allocated: before.allocated, updatedAt: op.now };
      targets.replace(op.undo, after);
      return copy(after);
    },
  };
}
