import { randomUUID } from 'node:crypto';
import { toPanelkitError, UNKNOWN_HEALTH, type Panel, type PanelCredentials, type JsonObject } from '@panelkit/sdk';
import type { PanelHealthReport } from '@panelkit/sdk/adapter';
import { PanelCredentialsSchema } from '@panelkit/sdk/schemas';
import { z } from 'zod';
import type { FieldErrors } from '../input/forms.js';
import type { Translate } from '../../i18n/translate.js';
import { checkbox, optionalText, tagList } from '../input/form-fields.js';
import { PANEL_KINDS, PanelOptionsSchema, panelAdapterFactory } from './panel-adapters.js';
import type { Shop } from '../shop.js';

/** A panel URL: http(s), and no `user:pass@` (credentials have their own fields and are never shown). */
export const PanelUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, message: 'adminOps.forms.url' }))
  .refine((url) => {
    // Runs even when the URL check above failed (zod reports both), so it must not throw.
    const parsed = URL.canParse(url) ? new URL(url) : null;
    return parsed === null || (parsed.username === '' && parsed.password === '');
  }, 'adminOps.forms.urlCredentials');

const optionalUrl = z
  .string()
  .trim()
  .max(2000)
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (!z.url({ protocol: /^https?$/ }).safeParse(v).success) {
      ctx.addIssue({ code: 'custom', message: 'adminOps.forms.url' });
      return z.NEVER;
    }
    return v;
  });

/** The add/edit panel form, as typed (secrets may be empty on edit: "keep"). */
export const PanelFormSchema = z.object({
  kind: z.enum(PANEL_KINDS, { message: 'adminOps.forms.kind' }),
  name: z.string().trim().min(1).max(200),
  baseUrl: PanelUrlSchema,
  username: optionalText(256),
  password: z
    .string()
    .max(1024)
    .optional()
    .transform((v) => v ?? ''),
  token: optionalText(4096),
  locationTags: tagList(32),
  subscriptionBaseUrl: optionalUrl,
  linkHost: optionalText(253),
  enabled: checkbox,
});
export type PanelForm = z.output<typeof PanelFormSchema>;

/** What the form shows back: never a password or token. */
export interface PanelFormValues {
  kind: string;
  name: string;
  baseUrl: string;
  username: string;
  locationTags: string;
  subscriptionBaseUrl: string;
  linkHost: string;
  enabled: boolean;
}

export function formValuesOf(panel: Panel): PanelFormValues {
  const options = PanelOptionsSchema.safeParse(panel.options);
  return {
    kind: panel.kind,
    name: panel.name,
    baseUrl: panel.baseUrl,
    username: panel.credentials.type === 'password' ? panel.credentials.username : '',
    locationTags: panel.locationTags.join(', '),
    subscriptionBaseUrl: (options.success ? options.data.subscriptionBaseUrl : undefined) ?? '',
    linkHost: (options.success ? options.data.linkHost : undefined) ?? '',
    enabled: panel.enabled,
  };
}

/** The submitted values to show again after an error, secrets left out. */
export function echoValues(body: unknown): PanelFormValues {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const s = (name: string) => (typeof b[name] === 'string' ? (b[name] as string) : '');
  return {
    kind: s('kind'),
    name: s('name'),
    baseUrl: s('baseUrl'),
    username: s('username'),
    locationTags: s('locationTags'),
    subscriptionBaseUrl: s('subscriptionBaseUrl'),
    linkHost: s('linkHost'),
    enabled: b['enabled'] !== undefined,
  };
}

/**
 * The credentials a panel kind needs, from the form, keeping the stored secret when its field is
 * left empty on edit. S-UI: an API token. 3x-ui: a token, or a username and password.
 * PasarGuard: an API key (`pg_key_…`) as the token, or a username and password. Marzban and Marzneshin: a
 * username and password.
 */
export function resolveCredentials(
  form: PanelForm,
  existing: PanelCredentials | null,
  t: Translate,
): { ok: true; credentials: PanelCredentials } | { ok: false; fields: FieldErrors } {
  const keptPassword = existing?.type === 'password' ? existing.password : null;
  const withPassword = (): ReturnType<typeof resolveCredentials> => {
    const fields: FieldErrors = {};
    if (form.username === '') fields['username'] = t('forms.required');
    const password = form.password !== '' ? form.password : keptPassword;
    if (password === null) fields['password'] = t('forms.required');
    if (Object.keys(fields).length > 0 || password === null) return { ok: false, fields };
    return { ok: true, credentials: { type: 'password', username: form.username, password } };
  };
  let result: ReturnType<typeof resolveCredentials>;
  switch (form.kind) {
    case 's-ui':
    case 'remnawave':
      if (form.token !== '') result = { ok: true, credentials: { type: 'token', token: form.token } };
      else if (existing?.type === 'token') result = { ok: true, credentials: existing };
      else result = { ok: false, fields: { token: t('adminOps.forms.tokenRequired') } };
      break;
    case '3x-ui':
    case 'pasarguard':
      if (form.token !== '') result = { ok: true, credentials: { type: 'token', token: form.token } };
      else if (form.username === '' && form.password === '' && existing !== null) result = { ok: true, credentials: existing };
      else if (form.username === '' && form.password === '')
        result = { ok: false, fields: { username: t('adminOps.forms.xuiCredentials'), token: t('adminOps.forms.xuiCredentials') } };
      else result = withPassword();
      break;
    default:
      result = withPassword();
  }
  if (result.ok && !PanelCredentialsSchema.safeParse(result.credentials).success)
    return { ok: false, fields: { password: t('forms.invalid') } };
  return result;
}

/** `panel.options` from the form, keeping any other settings the panel has (e.g. from PANELS_FILE). */
export function optionsFrom(form: PanelForm, existing: JsonObject = {}): JsonObject {
  const { subscriptionBaseUrl: _s, linkHost: _l, ...others } = existing;
  return {
    ...others,
    ...(form.subscriptionBaseUrl === undefined ? {} : { subscriptionBaseUrl: form.subscriptionBaseUrl }),
    ...(form.linkHost === '' ? {} : { linkHost: form.linkHost }),
  };
}

/**
 * Tests settings that are not stored (yet): builds an adapter from them and calls its health
 * method. Nothing is written.
 */
export async function testUnsavedPanel(
  shop: Shop,
  settings: Pick<Panel, 'kind' | 'name' | 'baseUrl' | 'credentials' | 'locationTags' | 'options'>,
): Promise<PanelHealthReport> {
  const now = shop.clock.now();
  const panel: Panel = { ...settings, id: 'pnl_unsaved', enabled: true, health: UNKNOWN_HEALTH, createdAt: now, updatedAt: now };
  try {
    const adapter = panelAdapterFactory({ clock: shop.clock, logger: shop.logger.child({ component: 'panel-test' }) })(panel);
    return await adapter.health({ signal: AbortSignal.timeout(15_000), idempotencyKey: `health:test:${randomUUID()}` });
  } catch (error) {
    return { ok: false, latencyMs: 0, version: null, message: toPanelkitError(error).code };
  }
}
