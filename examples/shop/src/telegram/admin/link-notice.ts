import { InlineKeyboard, type Composer } from 'grammy';
import { readLinkNotice, saveLinkNotice, type LinkNotice } from '../../app/subscriptions/link-notice.js';
import { isLocale, LOCALES, type Translate } from '../../i18n/translate.js';
import { localeInfo } from '../../i18n/locales.js';
import type { BotContext, BotDeps } from '../context.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import { backToMenu } from '../menu.js';
import { askAdmin, type TextContext } from './prompts.js';
import { assertStaffMay, botStaffOf } from './staff.js';

/** The web page whose rights the bot's actions here mirror (the owner's alone). */
const WEB_PATH = '/admin/settings/link';
/** What an admin types to empty a banner or the support address. */
export const CLEAR_ANSWER = '-';

/** The message showing the owner's banner per language and the support address, with a button to change each. */
function noticeMessage(t: Translate, notice: LinkNotice): { text: string; reply_markup: InlineKeyboard } {
  const none = t('linkNoticeBot.none');
  const lines = [t('linkPage.admin.title'), '', t('linkPage.admin.help'), ''];
  for (const locale of LOCALES) {
    const language = localeInfo(locale).name;
    lines.push(`${t('linkPage.admin.banner', { language })}: ${notice.banner[locale] || none}`);
  }
  lines.push(`${t('linkPage.admin.supportUrl')}: ${notice.supportUrl ?? none}`);
  const keyboard = new InlineKeyboard();
  for (const locale of LOCALES)
    keyboard.text(t('linkNoticeBot.editBanner', { language: localeInfo(locale).name }), callbackData('alnb', locale)).row();
  keyboard.text(t('linkNoticeBot.editSupport'), 'alns').row().text(t('telegram.menu.back'), 'm');
  return { text: lines.join('\n'), reply_markup: keyboard };
}

async function showNotice(ctx: BotContext, deps: BotDeps): Promise<void> {
  assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'GET', WEB_PATH);
  const { text, reply_markup } = noticeMessage(ctx.user.t, await readLinkNotice(deps.shop));
  await ctx.reply(text, { reply_markup, link_preview_options: { is_disabled: true } });
}

/**
 * Saves the notice with one field changed, through the web page's use case (`saveLinkNotice`: the same checks, the
 * same audit entry, under the admin's staff actor); a refused answer changes nothing and says why.
 */
async function saveChanged(ctx: TextContext, deps: BotDeps, change: (notice: LinkNotice) => LinkNotice): Promise<void> {
  const { t } = ctx.user;
  const staff = await botStaffOf(deps.shop, ctx.user);
  assertStaffMay(staff, 'POST', WEB_PATH);
  const saved = await saveLinkNotice(deps.shop, change(await readLinkNotice(deps.shop)), staff.actor);
  if (!saved.ok) return void (await ctx.reply(t('linkNoticeBot.invalid'), { reply_markup: backToMenu(ctx.user) }));
  await ctx.reply(t('linkPage.notices.saved'));
  await showNotice(ctx, deps);
}

/** The answer to "the banner in <language>?": the text typed, or `-` for none. */
export function answerLinkBanner(deps: BotDeps) {
  return async (ctx: TextContext, locale: string, text: string) => {
    if (!isLocale(locale)) return;
    const banner = text.trim() === CLEAR_ANSWER ? '' : text.trim();
    await saveChanged(ctx, deps, (notice) => ({ ...notice, banner: { ...notice.banner, [locale]: banner } }));
  };
}

/** The answer to "the support address?": the link typed, or `-` for none. */
export function answerLinkSupport(deps: BotDeps) {
  return async (ctx: TextContext, _subject: string, text: string) => {
    const supportUrl = text.trim() === CLEAR_ANSWER ? null : text.trim();
    await saveChanged(ctx, deps, (notice) => ({ ...notice, supportUrl }));
  };
}

/**
 * The owner's message to client apps from the bot's admin menu, as on `/admin/settings/link`: the banner per
 * language and the support address, each changed by typing it after its button. Held to the web page's role.
 */
export function linkNoticeHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const admins = bot.filter((ctx) => ctx.user.isAdmin);
  admins.callbackQuery('aln', async (ctx) => {
    await ctx.answerCallbackQuery();
    await showNotice(ctx, deps);
  });
  admins.callbackQuery(callbackPattern('alnb'), async (ctx) => {
    await ctx.answerCallbackQuery();
    const locale = ctx.match[1] as string;
    if (!isLocale(locale)) return;
    assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'POST', WEB_PATH);
    const { t } = ctx.user;
    await askAdmin(
      ctx,
      deps,
      { action: 'link_banner', subjectId: locale },
      t('linkNoticeBot.askBanner', { language: localeInfo(locale).name }),
    );
  });
  admins.callbackQuery('alns', async (ctx) => {
    await ctx.answerCallbackQuery();
    assertStaffMay(await botStaffOf(deps.shop, ctx.user), 'POST', WEB_PATH);
    await askAdmin(ctx, deps, { action: 'link_support', subjectId: CLEAR_ANSWER }, ctx.user.t('linkNoticeBot.askSupport'));
  });
}
