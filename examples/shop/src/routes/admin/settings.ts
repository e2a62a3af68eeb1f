import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireRecentAuth } from '../../auth/staff-security.js';
import { readSetting, writeSetting } from '../../db/shop-settings.js';
import { ctxOf } from '../../http/context.js';
import { parseForm, type FieldErrors } from '../../http/forms.js';
import { noticeFrom } from '../../http/notice.js';
import { gatewaySettings, saveGatewaySettings } from '../../payments/crypto/gateway-settings.js';
import type { Shop } from '../../stack/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { settingsBody, type SettingsValues } from '../../views/admin/settings-page.js';
import { adminActor } from './shared.js';

/** The setting the Telegram bot's token is kept in (sealed) when it is set here rather than in the environment. */
export const BOT_TOKEN_SETTING = 'telegram.bot';

const keep = z.string().trim().max(500);
const SettingsForm = z.object({
  gatewayEnabled: z.literal('on').optional(),
  gatewayBaseUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, message: 'adminOps.forms.url' })]),
  /** Empty: keep the stored key (secrets are never shown back). */
  gatewayApiKey: keep,
  gatewayIpnSecret: keep,
  botToken: z.union([
    z.literal(''),
    z
      .string()
      .trim()
      .regex(/^\d{5,15}:[A-Za-z0-9_-]{30,50}$/, 'settings.errors.botToken'),
  ]),
});

/**
 * The owner's settings (re-authentication before the page and before saving; audited): the crypto gateway's address and
 * keys, and the Telegram bot's token. Secrets are sealed before they are stored and never shown back: a field left
 * empty keeps what is stored.
 */
export function settingsRoutes(shop: Shop): Router {
  const router = Router();
  const recentAuth = requireRecentAuth(shop.clock);

  async function render(req: Request, res: Response, status: number, errors?: FieldErrors, values?: SettingsValues): Promise<void> {
    const ctx = ctxOf(res);
    const gateway = await gatewaySettings(shop);
    const bot = await readSetting<Record<string, never>, { token: string }>(shop, BOT_TOKEN_SETTING);
    const shown: SettingsValues = values ?? { gatewayEnabled: gateway?.enabled ?? false, gatewayBaseUrl: gateway?.baseUrl ?? '' };
    const stored = { gatewayKeys: gateway !== null, botToken: bot?.secret != null, botTokenFromEnv: shop.config.telegram !== null };
    res.status(status).send(
      adminPage(ctx, {
        title: ctx.t('settings.title'),
        notice: noticeFrom(req),
        body: settingsBody(ctx, { values: shown, stored, errors }),
      }).value,
    );
  }

  router.get('/admin/settings', recentAuth, (req, res) => render(req, res, 200));
  router.post('/admin/settings', recentAuth, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(SettingsForm, req.body, ctx.t);
    const echo = {
      gatewayEnabled: (req.body as Record<string, unknown>)['gatewayEnabled'] === 'on',
      gatewayBaseUrl: String((req.body as Record<string, unknown>)['gatewayBaseUrl'] ?? '').slice(0, 500),
    };
    if (!form.ok) return render(req, res, 400, form.fields, echo);
    const f = form.data;
    const current = await gatewaySettings(shop);
    const apiKey = f.gatewayApiKey || current?.apiKey || '';
    const ipnSecret = f.gatewayIpnSecret || current?.ipnSecret || '';
    const wantsGateway = f.gatewayEnabled === 'on' || f.gatewayBaseUrl !== '' || apiKey !== '';
    if (wantsGateway && (f.gatewayBaseUrl === '' || apiKey === '' || ipnSecret === '')) {
      return render(req, res, 400, { gatewayBaseUrl: ctx.t('settings.errors.gatewayIncomplete') }, echo);
    }
    const actor = adminActor(res);
    const now = shop.clock.now();
    if (wantsGateway)
      await saveGatewaySettings(shop, { enabled: f.gatewayEnabled === 'on', baseUrl: f.gatewayBaseUrl, apiKey, ipnSecret }, now, actor.id);
    if (f.botToken !== '') await writeSetting(shop, BOT_TOKEN_SETTING, {}, { token: f.botToken }, now, actor.id);
    // Which settings changed, never their values.
    await shop.storage.audit.append({
      actor,
      action: 'settings.saved',
      subjectType: 'shop',
      subjectId: 'settings',
      data: { gateway: wantsGateway, gatewayEnabled: f.gatewayEnabled === 'on', botToken: f.botToken !== '' },
    });
    res.redirect(303, '/admin/settings?done=settings.saved');
  });
  return router;
}
