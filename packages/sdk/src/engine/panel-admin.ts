import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/common.js';
import { NewPanelSchema, PanelPatchSchema } from '../domain/panel.js';
import type { NewPanel, Panel, PanelPatch } from '../domain/panel.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import type { PanelAdapter } from '../ports/panel.js';
import { ADMIN_ACTOR } from './admin-actor.js';
import type { EngineContext } from './context.js';

/**
 * Stores a new panel, audited as `panel.created`. Bad input is a `ValidationError` and stores
 * nothing; so is a `ConfigurationError` when the host's factory gives the panel an adapter of another
 * kind (built once here to ask; a factory that cannot build it yet is not asked). The adapter the engine
 * uses is built on first use.
 */
export async function addPanel(ctx: EngineContext, input: NewPanel, actor: Actor = ADMIN_ACTOR): Promise<Panel> {
  const valid = parseInput(NewPanelSchema, input, 'panel');
  return ctx.storage.transaction(async (tx) => {
    const panel = await tx.panels.create(valid);
    ctx.panels.verify(panel);
    await tx.audit.append({
      actor,
      action: 'panel.created',
      subjectType: 'panel',
      subjectId: panel.id,
      data: { name: panel.name, kind: panel.kind },
    });
    return panel;
  });
}

/**
 * Changes a panel's settings, audited as `panel.updated` with the names of the fields that changed
 * (credentials never appear, only whether they changed). A panel's kind cannot change. Bad input is a
 * `ValidationError`, an unknown panel a `NotFoundError`; either changes nothing. New connection
 * settings give the panel a new adapter on its next call.
 */
export async function updatePanel(ctx: EngineContext, panelId: string, patch: PanelPatch, actor: Actor = ADMIN_ACTOR): Promise<Panel> {
  const valid = parseInput(PanelPatchSchema, patch, 'panel patch');
  return ctx.storage.transaction(async (tx) => {
    const before = await tx.panels.get(panelId);
    if (before === null) throw new NotFoundError('panel', panelId);
    const panel = await tx.panels.update(panelId, valid);
    const changed = (Object.keys(valid) as Array<keyof typeof valid>).filter((key) => !isDeepStrictEqual(before[key], panel[key]));
    await tx.audit.append({
      actor,
      action: 'panel.updated',
      subjectType: 'panel',
      subjectId: panel.id,
      data: { name: panel.name, kind: panel.kind, changed, credentialsChanged: changed.includes('credentials') },
    });
    return panel;
  });
}

/**
 * Turns a panel on or off for new clients and the engine's calls, audited as `panel.enabled` or
 * `panel.disabled` (`{ name, kind }`). A panel already in that state is returned unwritten and unaudited, so
 * a second click records nothing. `NotFoundError` for an unknown panel.
 */
export async function setPanelEnabled(ctx: EngineContext, panelId: string, enabled: boolean, actor: Actor = ADMIN_ACTOR): Promise<Panel> {
  return ctx.storage.transaction(async (tx) => {
    const before = await tx.panels.get(panelId);
    if (before === null) throw new NotFoundError('panel', panelId);
    if (before.enabled === enabled) return before;
    const panel = await tx.panels.update(panelId, { enabled });
    await tx.audit.append({
      actor,
      action: enabled ? 'panel.enabled' : 'panel.disabled',
      subjectType: 'panel',
      subjectId: panel.id,
      data: { name: panel.name, kind: panel.kind },
    });
    return panel;
  });
}

/**
 * The adapter the engine uses for a stored panel: built once by the host's factory and rebuilt only when
 * the panel's connection settings change, so a session or token is reused across calls. `NotFoundError`
 * for an unknown panel; `ConfigurationError` for an adapter of another API version.
 */
export async function panelAdapter(ctx: EngineContext, panelId: string): Promise<PanelAdapter> {
  return (await ctx.panels.get(panelId)).adapter;
}
