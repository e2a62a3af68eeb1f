import { PanelNameTakenError, toPanelkitError, type Panel, type TargetSyncResult } from '@panelkit/sdk';
import { NewPanelSchema } from '@panelkit/sdk/schemas';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ctxOf } from '../../http/context.js';
import { optionalWholeNumber, tagList, checkbox } from '../../app/input/form-fields.js';
import { fieldErrors, parseForm, type FieldErrors } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { noticeFrom } from '../../http/notice.js';
import {
  echoValues,
  formValuesOf,
  optionsFrom,
  PanelFormSchema,
  resolveCredentials,
  testUnsavedPanel,
  type PanelFormValues,
} from '../../app/panels/panel-form.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { panelFormBody, targetFormBody, targetFormValues } from '../../views/admin/panel-form-page.js';
import { panelBody, panelsListBody } from '../../views/admin/panel-views.js';
import { adminActor } from './shared.js';
import { requireRecentAuth } from '../../http/staff-security.js';
import { idParam } from '../../app/input/ids.js';

const NEW_PANEL: PanelFormValues = {
  kind: '3x-ui',
  name: '',
  baseUrl: '',
  username: '',
  locationTags: '',
  subscriptionBaseUrl: '',
  linkHost: '',
  enabled: true,
};

const TargetFormSchema = z.object({
  capacity: optionalWholeNumber,
  tags: tagList(32),
  isDefault: checkbox,
  provisioningEnabled: checkbox,
});

const SyncFormSchema = z.object({ capacity: optionalWholeNumber });

/** SDK field paths as the form's field names (credentials have three inputs; the password carries the message). */
function sdkPanelErrors(error: z.ZodError, t: Parameters<typeof fieldErrors>[1]): FieldErrors {
  const fields: FieldErrors = {};
  for (const [path, message] of Object.entries(fieldErrors(error, t))) {
    const name = path.startsWith('credentials')
      ? 'password'
      : path.startsWith('locationTags')
        ? 'locationTags'
        : path.startsWith('options')
          ? 'subscriptionBaseUrl'
          : path;
    fields[name] ??= message;
  }
  return fields;
}

export function panelRoutes(shop: Shop): Router {
  const router = Router();
  const { storage } = shop;

  async function panelOr404(req: Request): Promise<Panel> {
    const panel = await storage.panels.get(idParam(req));
    if (panel === null) throw new ShopError('not_found', 'errors.notFound');
    return panel;
  }

  function renderForm(res: Response, status: number, options: Parameters<typeof panelFormBody>[1]): void {
    const ctx = ctxOf(res);
    const title = options.panelId === null ? ctx.t('adminOps.panels.add') : ctx.t('adminOps.panels.editTitle');
    res.status(status).send(adminPage(ctx, { title, body: panelFormBody(ctx, options) }).value);
  }

  async function renderPanel(
    req: Request,
    res: Response,
    panel: Panel,
    status = 200,
    sync: TargetSyncResult | null = null,
    syncError: string | null = null,
  ): Promise<void> {
    const ctx = ctxOf(res);
    const targets = await storage.targets.list({ panelId: panel.id });
    res.status(status).send(
      adminPage(ctx, {
        title: panel.name,
        notice: noticeFrom(req),
        body: panelBody(ctx, shop.config.timeZone, panel, targets, sync, syncError),
      }).value,
    );
  }

  /** Add or edit: validates, resolves credentials, and either tests the settings or saves them. */
  async function submitPanel(req: Request, res: Response, existing: Panel | null): Promise<void> {
    const { t } = ctxOf(res);
    const panelId = existing?.id ?? null;
    const values = { ...echoValues(req.body), ...(existing ? { kind: existing.kind } : {}) };
    const fail = (errors: FieldErrors) => renderForm(res, 400, { panelId, values, errors });
    const parsed = parseForm(PanelFormSchema, existing ? { ...(req.body as object), kind: existing.kind } : req.body, t);
    if (!parsed.ok) return fail(parsed.fields);
    const form = parsed.data;
    const credentials = resolveCredentials(form, existing?.credentials ?? null, t);
    if (!credentials.ok) return fail(credentials.fields);
    if ((await storage.panels.list()).some((p) => p.name === form.name && p.id !== panelId))
      return fail({ name: t('adminOps.forms.nameTaken') });
    const settings = {
      kind: form.kind,
      name: form.name,
      baseUrl: form.baseUrl,
      credentials: credentials.credentials,
      locationTags: form.locationTags,
      options: optionsFrom(form, existing?.options),
    };
    const checked = NewPanelSchema.safeParse({ ...settings, enabled: form.enabled });
    if (!checked.success) return fail(sdkPanelErrors(checked.error, t));

    if ((req.body as Record<string, unknown>)['intent'] === 'test') {
      const report = await testUnsavedPanel(shop, settings);
      return renderForm(res, 200, { panelId, values, test: report });
    }
    const actor = adminActor(res);
    const { kind, ...editable } = settings;
    try {
      const saved = existing
        ? await shop.kit.panels.update(existing.id, { ...editable, enabled: form.enabled }, actor)
        : await shop.kit.panels.add({ kind, ...editable, enabled: form.enabled }, actor);
      res.redirect(303, `/admin/panels/${saved.id}?done=adminOps.panel_saved`);
    } catch (error) {
      // Another admin (or a panels file) took the name since the check above: the storage keeps names unique.
      if (PanelNameTakenError.is(error)) return fail({ name: t('adminOps.forms.nameTaken') });
      throw error;
    }
  }

  router.get('/admin/panels', async (req, res) => {
    const ctx = ctxOf(res);
    const panels = await storage.panels.list();
    res.send(
      adminPage(ctx, {
        title: ctx.t('adminOps.panels.title'),
        notice: noticeFrom(req),
        body: panelsListBody(ctx, shop.config.timeZone, panels),
      }).value,
    );
  });

  // Adding or editing a panel hands over the keys to a whole server: it needs a recent password or code.
  const recentAuth = requireRecentAuth(shop.clock);
  router.get('/admin/panels/new', recentAuth, (_req, res) => renderForm(res, 200, { panelId: null, values: NEW_PANEL }));
  router.post('/admin/panels', recentAuth, (req, res) => submitPanel(req, res, null));

  router.get('/admin/panels/:id', async (req, res) => renderPanel(req, res, await panelOr404(req)));

  router.get('/admin/panels/:id/edit', recentAuth, async (req, res) => {
    const panel = await panelOr404(req);
    renderForm(res, 200, { panelId: panel.id, values: formValuesOf(panel) });
  });
  router.post('/admin/panels/:id/edit', recentAuth, async (req, res) => submitPanel(req, res, await panelOr404(req)));

  /** Checks the stored panel now (the engine records the result in its health). */
  router.post('/admin/panels/:id/test', async (req, res) => {
    const panel = await panelOr404(req);
    await shop.kit.checkPanelHealth(panel.id, { actor: adminActor(res) });
    res.redirect(303, `/admin/panels/${panel.id}?done=adminOps.health_checked`);
  });

  router.post('/admin/panels/:id/enabled', async (req, res) => {
    const panel = await panelOr404(req);
    const parsed = parseForm(z.object({ enabled: z.enum(['on', 'off']) }), req.body, ctxOf(res).t);
    if (!parsed.ok) throw new ShopError('invalid_input', 'errors.invalidInput', {}, parsed.fields);
    const enabled = parsed.data.enabled === 'on';
    // The kit's writer: the same audit (`panel.enabled`/`panel.disabled`) as PANELS_FILE and the demo.
    await shop.kit.panels.setEnabled(panel.id, enabled, adminActor(res));
    res.redirect(303, `/admin/panels/${panel.id}?done=${enabled ? 'adminOps.panel_enabled' : 'adminOps.panel_disabled'}`);
  });

  /** Syncs the panel's targets (the kit adds, updates and retires them); shows what was added and what the panel no longer lists. */
  router.post('/admin/panels/:id/sync', async (req, res) => {
    const { t } = ctxOf(res);
    const panel = await panelOr404(req);
    const parsed = parseForm(SyncFormSchema, req.body, t);
    if (!parsed.ok) return renderPanel(req, res, panel, 400, null, t('adminOps.targets.capacityInvalid'));
    let result: TargetSyncResult;
    try {
      result = await shop.kit.targets.sync(panel.id, {
        capacity: parsed.data.capacity,
        actor: adminActor(res),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const code = toPanelkitError(error).code;
      if (code === 'CONFLICT') throw error;
      return renderPanel(req, res, panel, 502, null, t('adminOps.targets.syncFailed', { code }));
    }
    await renderPanel(req, res, panel, 200, result);
  });

  async function targetOr404(req: Request) {
    const panel = await panelOr404(req);
    const target = await storage.targets.get(idParam(req, 'targetId'));
    if (target === null || target.panelId !== panel.id) throw new ShopError('not_found', 'errors.notFound');
    return target;
  }

  router.get('/admin/panels/:id/targets/:targetId', async (req, res) => {
    const ctx = ctxOf(res);
    const target = await targetOr404(req);
    res.send(adminPage(ctx, { title: target.name, body: targetFormBody(ctx, target, targetFormValues(target)) }).value);
  });

  router.post('/admin/panels/:id/targets/:targetId', async (req, res) => {
    const ctx = ctxOf(res);
    const target = await targetOr404(req);
    const parsed = parseForm(TargetFormSchema, req.body, ctx.t);
    if (!parsed.ok) {
      const b = req.body as Record<string, unknown>;
      const values = {
        capacity: typeof b['capacity'] === 'string' ? b['capacity'] : '',
        tags: typeof b['tags'] === 'string' ? b['tags'] : '',
        isDefault: b['isDefault'] !== undefined,
        provisioningEnabled: b['provisioningEnabled'] !== undefined,
      };
      return res.status(400).send(adminPage(ctx, { title: target.name, body: targetFormBody(ctx, target, values, parsed.fields) }).value);
    }
    await shop.kit.targets.update(target.id, parsed.data, adminActor(res));
    res.redirect(303, `/admin/panels/${target.panelId}?done=adminOps.target_saved`);
  });

  return router;
}
