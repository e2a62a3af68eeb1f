import { PanelNameTakenError, UNKNOWN_HEALTH, createId, openPanelCredentials, sealPanelCredentials } from '@panelkit/sdk';
import { NewPanelSchema, PanelPatchSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput } from '@panelkit/sdk/storage';
import type { NewPanel, Panel, PanelHealth, PanelPatch, SecretBox } from '@panelkit/sdk';
import type { PanelRepository } from '@panelkit/sdk/storage';
import type { Column } from '../internal/columns.js';
import { isUniqueViolation } from '../internal/errors.js';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

/** Health is jsonb with `checkedAt` as an ISO string (jsonb has no dates). */
function encodeHealth(health: PanelHealth): string {
  return enc.json({ ...health, checkedAt: enc.timeOrNull(health.checkedAt) });
}

function decodeHealth(value: unknown): PanelHealth {
  const raw = dec.json<PanelHealth & { checkedAt: string | null }>(value);
  return { ...raw, checkedAt: dec.timeOrNull(raw.checkedAt) };
}

/** Credentials are a sealed string (jsonb) under the storage's secret box, plain jsonb only without one. */
function encodeCredentials(box: SecretBox | undefined, panel: Panel): string {
  return enc.json(box === undefined ? panel.credentials : sealPanelCredentials(box, panel.id, panel.credentials));
}

const columns = (box: SecretBox | undefined): readonly Column<Panel>[] => [
  ['id', 'text', (p) => p.id],
  ['kind', 'text', (p) => p.kind],
  ['name', 'text', (p) => p.name],
  ['base_url', 'text', (p) => p.baseUrl],
  ['credentials', 'jsonb', (p) => encodeCredentials(box, p)],
  ['location_tags', 'jsonb', (p) => enc.json(p.locationTags)],
  ['options', 'jsonb', (p) => enc.json(p.options)],
  ['enabled', 'boolean', (p) => p.enabled],
  ['health', 'jsonb', (p) => encodeHealth(p.health)],
  ['created_at', 'timestamptz', (p) => enc.time(p.createdAt)],
  ['updated_at', 'timestamptz', (p) => enc.time(p.updatedAt)],
];

/** A panel from its row, its credentials opened with `box` (see `openPanelCredentials`). */
export function panelFromRow(r: Row, box: SecretBox | undefined): Panel {
  const id = dec.text(r['id']);
  return {
    id,
    kind: dec.text(r['kind']),
    name: dec.text(r['name']),
    baseUrl: dec.text(r['base_url']),
    credentials: openPanelCredentials(box, id, dec.json(r['credentials'])),
    locationTags: dec.json(r['location_tags']),
    options: dec.json(r['options']),
    enabled: dec.bool(r['enabled']),
    health: decodeHealth(r['health']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

/** A write that broke `panels_name_key` (migration 017) as the port's `PanelNameTakenError`; anything else as it is. */
async function nameKept<T>(name: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error, 'panels_name_key')) throw new PanelNameTakenError(name, { cause: error });
    throw error;
  }
}

/** Panels in `{schema}.panels`; credentials are sealed with `secretBox` when the storage has one (plain jsonb otherwise). */
export function panelRepository({ runner, schema, secretBox }: RepositoryContext): PanelRepository {
  const table = `${schema}.panels`;
  const fromRow = (r: Row) => panelFromRow(r, secretBox);
  const panels = rowTable(table, 'panel', columns(secretBox), fromRow);
  return {
    create: (input: NewPanel) =>
      runner.run('panels.create', async ({ db, now }) => {
        const parsed = parseInput(NewPanelSchema, input, 'panel');
        const panel: Panel = { ...parsed, id: parsed.id ?? createId('pnl'), health: { ...UNKNOWN_HEALTH }, createdAt: now, updatedAt: now };
        return nameKept(panel.name, panels.insert(db, panel));
      }),

    get: (id: string) => runner.run('panels.get', ({ db }) => panels.findOne(db, 'id = $1', [inputKey(id, 'panel id')]), { read: true }),

    list: () =>
      runner.run('panels.list', async ({ db }) => (await db.query(`SELECT * FROM ${table} ORDER BY name, id`)).rows.map(fromRow), {
        read: true,
      }),

    update: (id: string, patch: PanelPatch) =>
      runner.run('panels.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(PanelPatchSchema, patch, 'panel patch'));
        const before = await panels.lock(db, inputKey(id, 'panel id'), changes.name !== undefined);
        const after = { ...before, ...changes, updatedAt: now };
        return nameKept(after.name, panels.replace(db, after));
      }),
  };
}
