import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { PanelNameTakenError, type Panel, type Panelkit } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { PanelCredentialsSchema, TagSchema } from '@panelkit/sdk/schemas';
import type { Logger } from 'pino';
import { z } from 'zod';
import { hasMessage, translator } from '../../i18n/translate.js';
import { PANEL_KINDS, PASSWORD_ONLY_KINDS, PanelOptionsSchema, TOKEN_ONLY_KINDS } from './panel-adapters.js';
import { PanelUrlSchema } from './panel-form.js';

/**
 * PANELS_FILE: panels (with their real credentials) to add or update when the shop starts, so a
 * deployment can keep them in a secret file instead of typing them into the admin pages.
 *
 * The file is a JSON array; each entry is matched to a stored panel by `name`. A new name adds a
 * panel; a known one has its address, credentials, tags, options and (when given) `enabled`
 * replaced. Panels not in the file are left alone. A panel's kind cannot change.
 *
 * [
 *   {
 *     "kind": "3x-ui",                                   // 3x-ui | s-ui | marzban | marzneshin | pasarguard
 *     "name": "Frankfurt 1",
 *     "baseUrl": "https://fra1.example.com:2053/Xk3vR9pQ2mW7/",
 *     "credentials": { "type": "password", "username": "admin", "password": "…" },
 *                                                         // or { "type": "token", "token": "…" }
 *     "locationTags": ["de", "eu"],                       // optional, default []
 *     "options": { "subscriptionBaseUrl": "https://fra1.example.com:2096/sub/", "linkHost": "fra1.example.com" },
 *                                                         // optional
 *     "enabled": true                                     // optional: new panels default to true
 *   }
 * ]
 *
 * S-UI needs a token; Marzban and Marzneshin a username and password; 3x-ui and PasarGuard (an API key) either.
 */
const PanelEntrySchema = z
  .strictObject({
    kind: z.enum(PANEL_KINDS),
    name: z.string().trim().min(1).max(200),
    baseUrl: PanelUrlSchema,
    credentials: PanelCredentialsSchema,
    locationTags: z.array(TagSchema).max(32).default([]),
    options: PanelOptionsSchema.strict().default({}),
    enabled: z.boolean().optional(),
  })
  .superRefine((entry, ctx) => {
    if (TOKEN_ONLY_KINDS.includes(entry.kind) && entry.credentials.type !== 'token')
      ctx.addIssue({ code: 'custom', path: ['credentials'], message: `${entry.kind} panels need {"type": "token", "token": "…"}` });
    if (PASSWORD_ONLY_KINDS.includes(entry.kind) && entry.credentials.type !== 'password') {
      ctx.addIssue({
        code: 'custom',
        path: ['credentials'],
        message: `${entry.kind} panels need {"type": "password", "username": "…", "password": "…"}`,
      });
    }
  });

export const PanelsFileSchema = z.array(PanelEntrySchema);
export type PanelsFileEntry = z.output<typeof PanelEntrySchema>;

/** Everything wrong with the file at once, one problem a line (never a credential). */
export class PanelsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`PANELS_FILE ${file} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PanelsFileError';
  }
}

/** `[0].credentials.password`: where in the file a problem is. */
function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the file)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
}

/** Entries are matched by name, so a name may appear once (checked even when other entries are invalid). */
function duplicateNames(json: unknown): string[] {
  if (!Array.isArray(json)) return [];
  const seen = new Set<string>();
  const problems: string[] = [];
  json.forEach((entry: unknown, i) => {
    const name = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['name'] : undefined;
    if (typeof name !== 'string') return;
    if (seen.has(name.trim())) problems.push(`[${i}].name: "${name.trim()}" appears more than once`);
    seen.add(name.trim());
  });
  return problems;
}

/** Messages shared with the admin forms are i18n keys; the operator reads them in English. */
const english = (message: string) => (hasMessage(message) ? translator('en')(message) : message);

/** Reads and checks the file; `PanelsFileError` lists every problem. */
export async function readPanelsFile(file: string): Promise<PanelsFileEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PanelsFileError(file, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PanelsFileError(file, ['is not valid JSON']);
  }
  const parsed = PanelsFileSchema.safeParse(json);
  // Zod's messages name the rule, never the value, so no secret is repeated.
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${pathText(issue.path)}: ${english(issue.message)}`);
  problems.push(...duplicateNames(json));
  if (!parsed.success || problems.length > 0) throw new PanelsFileError(file, problems);
  return parsed.data;
}

function unchanged(panel: Panel, entry: PanelsFileEntry): boolean {
  return (
    panel.baseUrl === entry.baseUrl &&
    isDeepStrictEqual(panel.credentials, entry.credentials) &&
    isDeepStrictEqual(panel.locationTags, entry.locationTags) &&
    isDeepStrictEqual(panel.options, entry.options) &&
    (entry.enabled === undefined || panel.enabled === entry.enabled)
  );
}

export interface PanelsFileResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** The panels file's actor in the audit log. */
const PANELS_FILE_ACTOR = { type: 'system' as const, id: 'panels_file' };

/** Why the file cannot be applied to this stored panel (its kind differs), or `null` when it can. */
function kindProblem(stored: Panel | undefined, entry: PanelsFileEntry): string | null {
  if (stored === undefined || stored.kind === entry.kind) return null;
  return `"${entry.name}": stored as a ${stored.kind} panel; a panel's kind cannot change`;
}

/**
 * Adds or updates the file's panels, matched by name, through the kit's panel writer (`kit.panels.add`/`update`),
 * so they are validated and audited exactly as the admin pages' (`panel.created`, `panel.updated` with the fields
 * that changed). The whole file and every match are checked before anything is written: a bad file or a changed
 * kind writes nothing. Each panel is then written in its own transaction; should one fail, those before it stay
 * written and the next start (matching by name) finishes the rest. A panel whose settings already match is not
 * written, so its adapter's session is kept.
 *
 * Every process of a deployment applies the file when it starts, often at the same moment. A panel's name is
 * unique in storage, so of two processes adding one panel, one stores it and the other is refused with
 * `PanelNameTakenError`: that one reads the winner's panel and goes on as if it had found it stored (unchanged,
 * or updated to the file's settings). Any number of processes starting together store each panel once and start.
 */
export async function applyPanelsFile(
  deps: { kit: Pick<Panelkit, 'panels'>; storage: StoragePort },
  file: string,
  logger: Logger,
): Promise<PanelsFileResult> {
  const entries = await readPanelsFile(file);
  const result: PanelsFileResult = { created: [], updated: [], unchanged: [] };
  const stored = await deps.storage.panels.list();
  const byName = (panels: readonly Panel[], name: string) => panels.find((p) => p.name === name);
  const problems = entries.map((entry) => kindProblem(byName(stored, entry.name), entry)).filter((p) => p !== null);
  if (problems.length > 0) throw new PanelsFileError(file, problems);
  for (const entry of entries) {
    let existing = byName(stored, entry.name);
    if (existing === undefined) {
      try {
        await deps.kit.panels.add({ ...entry, enabled: entry.enabled ?? true }, PANELS_FILE_ACTOR);
        result.created.push(entry.name);
        continue;
      } catch (error) {
        if (!PanelNameTakenError.is(error)) throw error;
        // Another process stored it a moment ago: take its panel as found.
        existing = byName(await deps.storage.panels.list(), entry.name);
        if (existing === undefined) throw error;
        const problem = kindProblem(existing, entry);
        if (problem !== null) throw new PanelsFileError(file, [problem]);
        logger.debug({ name: entry.name }, 'panel added by another process starting at the same time');
      }
    }
    if (unchanged(existing, entry)) {
      result.unchanged.push(entry.name);
      continue;
    }
    await deps.kit.panels.update(
      existing.id,
      {
        baseUrl: entry.baseUrl,
        credentials: entry.credentials,
        locationTags: entry.locationTags,
        options: entry.options,
        ...(entry.enabled === undefined ? {} : { enabled: entry.enabled }),
      },
      PANELS_FILE_ACTOR,
    );
    result.updated.push(entry.name);
  }
  logger.info({ file, ...result }, 'panels file applied');
  return result;
}
