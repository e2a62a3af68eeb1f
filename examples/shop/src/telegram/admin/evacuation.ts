import { type Composer, InlineKeyboard } from 'grammy';
import { evacuationView, startEvacuation } from '../../app/ops/evacuation.js';
import { callbackData, callbackPattern } from '../callback-data.js';
import type { BotContext, BotDeps } from '../context.js';
import { assertStaffMay, botStaffOf } from './staff.js';

/**
 * `/evacuate`: an admin picks a panel, sees where each live subscription would go and what does not fit
 * (the same dry run as the web page), and starts the evacuation with one more tap. Running it again
 * queues nothing twice; `/evacuate` later shows the progress.
 */
export function evacuationHandlers(bot: Composer<BotContext>, deps: BotDeps): void {
  const { shop } = deps;
  const admins = bot.filter((ctx) => ctx.user.isAdmin);

  admins.command('evacuate', async (ctx) => {
    const { t } = ctx.user;
    // Panels and their evacuation are the owner's on the web: support staff get the same answer here.
    assertStaffMay(await botStaffOf(shop, ctx.user), 'GET', '/admin/panels');
    const panels = await shop.storage.panels.list();
    if (panels.length === 0) return void (await ctx.reply(t('evacuation.bot.noPanels')));
    const keyboard = new InlineKeyboard();
    for (const panel of panels) keyboard.text(panel.name, callbackData('evq', panel.id)).row();
    await ctx.reply(t('evacuation.bot.pick'), { reply_markup: keyboard });
  });

  admins.callbackQuery(callbackPattern('evq'), async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    assertStaffMay(await botStaffOf(shop, ctx.user), 'GET', `/admin/panels/${ctx.match[1]}/evacuate`);
    const view = await evacuationView(shop, ctx.match[1] as string);
    const c = view.plan.counts;
    const lines = [
      t('evacuation.title', { panel: view.panel.name }),
      `${t('evacuation.remaining')}: ${view.progress.remaining}`,
      `${t('evacuation.moving')}: ${view.progress.moving}`,
      t('evacuation.planSummary', { move: c.would_move, noRoom: c.no_room, moving: c.in_progress, stay: c.not_movable }),
    ];
    const reply_markup =
      c.would_move > 0
        ? new InlineKeyboard().text(t('evacuation.start', { count: c.would_move }), callbackData('evgo', view.panel.id))
        : undefined;
    await ctx.reply(lines.join('\n'), reply_markup === undefined ? {} : { reply_markup });
  });

  admins.callbackQuery(callbackPattern('evgo'), async (ctx) => {
    const { t } = ctx.user;
    await ctx.answerCallbackQuery();
    const staff = await botStaffOf(shop, ctx.user);
    assertStaffMay(staff, 'POST', `/admin/panels/${ctx.match[1]}/evacuate`);
    const report = await startEvacuation(shop, ctx.match[1] as string, staff.actor);
    await ctx.editMessageReplyMarkup({ reply_markup: new InlineKeyboard() }).catch(() => undefined);
    await ctx.reply(t('evacuation.bot.started', { queued: report.counts.queued, noRoom: report.counts.no_room }));
  });

  // Anyone else tapping an evacuation button (or forging its data) is told nothing and nothing happens.
  bot.callbackQuery(/^(evq|evgo):/, (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
}
