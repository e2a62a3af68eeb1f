import { createId } from '@panelkit/sdk';
import { NewTargetSchema, TargetPatchSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput, parsePanelIdFilter } from '@panelkit/sdk/storage';
import type { NewTarget, Target, TargetPatch } from '@panelkit/sdk';
import type { TargetRepository } from '@panelkit/sdk/storage';
import type { Column } from '../internal/columns.js';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

const COLUMNS: readonly Column<Target>[] = [
  ['id', 'text', (t) => t.id],
  ['panel_id', 'text', (t) => t.panelId],
  ['remote_ref', 'text', (t) => t.remoteRef],
  ['name', 'text', (t) => t.name],
  ['protocol', 'text', (t) => t.protocol],
  ['remote_meta', 'jsonb', (t) => enc.json(t.remoteMeta)],
  ['capacity', 'integer', (t) => t.capacity],
  ['is_default', 'boolean', (t) => t.isDefault],
  ['provisioning_enabled', 'boolean', (t) => t.provisioningEnabled],
  ['tags', 'jsonb', (t) => enc.json(t.tags)],
  ['kinds', 'jsonb', (t) => enc.json(t.kinds)],
  ['allocated', 'integer', (t) => t.allocated],
  ['created_at', 'timestamptz', (t) => enc.time(t.createdAt)],
  ['updated_at', 'timestamptz', (t) => enc.time(t.updatedAt)],
];

export function targetFromRow(r: Row): Target {
  return {
    id: dec.text(r['id']),
    panelId: dec.text(r['panel_id']),
    remoteRef: dec.text(r['remote_ref']),
    name: dec.text(r['name']),
    protocol: dec.text(r['protocol']),
    remoteMeta: dec.json(r['remote_meta']),
    capacity: dec.intOrNull(r['capacity']),
    isDefault: dec.bool(r['is_default']),
    provisioningEnabled: dec.bool(r['provisioning_enabled']),
    tags: dec.json(r['tags']),
    kinds: dec.json(r['kinds']),
    allocated: dec.int(r['allocated']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

export function targetRepository({ runner, schema }: RepositoryContext): TargetRepository {
  const table = `${schema}.targets`;
  const targets = rowTable(table, 'target', COLUMNS, targetFromRow);
  const read = { read: true } as const;
  return {
    /** The panel reference is a foreign key: a missing panel is a `NotFoundError`. */
    create: (input: NewTarget) =>
      runner.run('targets.create', async ({ db, now }) => {
        const parsed = parseInput(NewTargetSchema, input, 'target');
        const target: Target = { ...parsed, id: parsed.id ?? createId('tgt'), allocated: 0, createdAt: now, updatedAt: now };
        return targets.insert(db, target);
      }),

    get: (id: string) => runner.run('targets.get', ({ db }) => targets.findOne(db, 'id = $1', [inputKey(id, 'target id')]), read),

    getByRemoteRef: (panelId: string, remoteRef: string) =>
      runner.run(
        'targets.getByRemoteRef',
        ({ db }) =>
          targets.findOne(db, 'panel_id = $1 AND remote_ref = $2', [
            inputKey(panelId, 'panel id'),
            inputKey(remoteRef, 'remote reference'),
          ]),
        read,
      ),

    list: (filter?: { panelId?: string }) =>
      runner.run(
        'targets.list',
        async ({ db }) => {
          const wanted = parsePanelIdFilter(filter, 'target filter') ?? null;
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE ($1::text IS NULL OR panel_id = $1) ORDER BY panel_id, name, id`, [
            wanted,
          ]);
          return rows.map(targetFromRow);
        },
        read,
      ),

    update: (id: string, patch: TargetPatch) =>
      runner.run('targets.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(TargetPatchSchema, patch, 'target patch'));
        // A new remote reference changes a unique key: the stronger lock from the start.
        const before = await targets.lock(db, inputKey(id, 'target id'), changes.remoteRef !== undefined);
        return targets.replace(db, { ...before, ...changes, allocated: before.allocated, updatedAt: now });
      }),
  };
}
