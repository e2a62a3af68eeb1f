import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireRecentAuth } from '../../http/staff-security.js';
import { readSetting } from '../../db/shop-settings.js';
import { BOT_TOKEN_SETTING, saveShopSettings } from '../../app/ops/shop-settings.js';
import { ctxOf } from '../../http/context.js';
import { parseForm, type FieldErrors } from '../../app/input/forms.js';
import { noticeFrom } from '../../http/notice.js';
import { gatewaySettings } from '../../app/payments/crypto/gateway-settings.js';
import { isValidCardNumber, normalizeCardNumber, payoutCard, type PayoutCard } from '../../app/payments/payout-card.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { settingsBody, type SettingsValues } from '../../views/admin/settings-page.js';
import { adminActor } from './shared.js';

const keep = z.string().trim().max(500);
const SettingsForm = z.object({
  gatewayEnabled: z.literal('on').optional(),
  gatewayBaseUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, message: 'adminOps.forms.url' })]),
  /** Empty: keep the stored key (secrets are never shown back). */
  gatewayApiKey: keep,
  gatewayIpnSecret: keep,
  cardEnabled: z.literal('on').optional(),
  /** Absent (a client posting only other settings): the card stays as it is. */
  cardNumber: z.string().trim().max(60).optional(),
  cardHolder: z.string().trim().max(100).default(''),
  botToken: z.union([
    z.literal(''),
    z
      .string()
      .trim()
      .regex(/^\d{5,15}:[A-Za-z0-9_-]{30,50}$/, 'settings.errors.botToken'),
  ]),
});

/** The payout card the form asks for: `null` for card-to-card off; a card as typed must be valid unless it is the one in use. */
function wantedCard(
  f: z.infer<typeof SettingsForm>,
  current: PayoutCard | null,
): { ok: true; card: PayoutCard | null } | { ok: false; field: 'cardNumber' | 'cardHolder'; message: string } {
  if (f.cardNumber === undefined && f.cardEnabled === undefined) return { ok: true, card: current };
  if (f.cardEnabled !== 'on') return { ok: true, card: null };
  const cardNumber = normalizeCardNumber(f.cardNumber ?? '');
  if (cardNumber !== current?.cardNumber && !isValidCardNumber(cardNumber))
    return { ok: false, field: 'cardNumber', message: 'settings.errors.cardNumber' };
  if (f.cardHolder === '') return { ok: false, field: 'cardHolder', message: 'settings.errors.cardHolder' };
  return { ok: true, card: { cardNumber, holder: f.cardHolder } };
}

/**
 * The owner's settings (re-authentication before the page and before saving; audited): the crypto gateway's address and
 * keys, the card buyers pay to for card-to-card top-ups, and the Telegram bot's token. Secrets are sealed before they are stored and never shown back: a field left
 * empty keeps what is stored.
 */
export function settingsRoutes(shop: Shop): Router {
  const router = Router();
  const recentAuth = requireRecentAuth(shop.clock);

  async function render(req: Request, res: Response, status: number, errors?: FieldErrors, values?: SettingsValues): Promise<void> {
    const ctx = ctxOf(res);
    const gateway = await gatewaySettings(shop);
    const bot = await readSetting<Record<string, never>, { token: string }>(shop, BOT_TOKEN_SETTING);
    const card = await payoutCard(shop);
    const shown: SettingsValues = values ?? {
      gatewayEnabled: gateway?.enabled ?? false,
      gatewayBaseUrl: gateway?.baseUrl ?? '',
      cardEnabled: card !== null,
      cardNumber: card?.cardNumber ?? '',
      cardHolder: card?.holder ?? '',
    };
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
    const body = req.body as Record<string, unknown>;
    const echo: SettingsValues = {
      gatewayEnabled: body['gatewayEnabled'] === 'on',
      gatewayBaseUrl: String(body['gatewayBaseUrl'] ?? '').slice(0, 500),
      cardEnabled: body['cardEnabled'] === 'on',
      cardNumber: String(body['cardNumber'] ?? '').slice(0, 60),
      cardHolder: String(body['cardHolder'] ?? '').slice(0, 100),
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
    // A bot gives buyers the shop's link on its public address: without one it would never start (`main.ts`).
    if (f.botToken !== '' && shop.config.publicUrl === null)
      return render(req, res, 400, { botToken: ctx.t('shopLink.botNeedsAddress') }, echo);
    const currentCard = await payoutCard(shop);
    const card = wantedCard(f, currentCard);
    if (!card.ok) return render(req, res, 400, { [card.field]: ctx.t(card.message) }, echo);
    const gateway = wantsGateway ? { enabled: f.gatewayEnabled === 'on', baseUrl: f.gatewayBaseUrl, apiKey, ipnSecret } : null;
    await saveShopSettings(shop, { card: card.card, gateway, botToken: f.botToken === '' ? null : f.botToken }, adminActor(res));
    res.redirect(303, '/admin/settings?done=settings.saved');
  });
  return router;
}
