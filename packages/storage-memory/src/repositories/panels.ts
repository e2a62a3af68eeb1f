import { PanelNameTakenError, UNKNOWN_HEALTH, createId } from '@panelkit/sdk';
import { NewPanelSchema, PanelPatchSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput } from '@panelkit/sdk/storage';
import type { NewPanel, Panel, PanelPatch } from '@panelkit/sdk';
import { copy } from '../internal/copy.js';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';

export type PanelTable = Table<Panel>;

/** Panels by id, their name unique (exactly as stored, as PostgreSQL's `panels_name_key`). */
export function createPanelTable(): PanelTable {
  const byName = new UniqueIndex<Panel>(
    'a panel with this name',
    (p) => p.name,
    (p) => new PanelNameTakenError(p.name),
  );
  return new Table<Panel>('panel', [byName]);
}

export function panelOperations(panels: PanelTable) {
  return {
    create(op: Op, input: NewPanel): Panel {
      const parsed = copy(parseInput(NewPanelSchema, input, 'panel'));
      const panel: Panel = {
        ...parsed,
        id: parsed.id ?? createId('pnl'),
        health: { ...UNKNOWN_HEALTH },
        createdAt: op.now,
        updatedAt: op.now,
      };
      panels.insert(op.undo, panel);
      return copy(panel);
    },

    get(_op: Op, id: string): Panel | null {
      const panel = panels.get(inputKey(id, 'panel id'));
      return panel === undefined ? null : copy(panel);
    },

    list(_op: Op): Panel[] {
      return [...panels.values()].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.id, b.id)).map(copy);
    },

    update(op: Op, id: string, patch: PanelPatch): Panel {
      const changes = definedFields(copy(parseInput(PanelPatchSchema, patch, 'panel patch')));
      const before = panels.require(inputKey(id, 'panel id'));
      const after: Panel = { ...before, ...changes, updatedAt: op.now };
      panels.replace(op.undo, after);
      return copy(after);
    },
  };
}
