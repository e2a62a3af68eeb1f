/**
 * The message keys the code builds at run time from a value (a status, a reason, a kind…) instead of naming them
 * whole: `t(\`wallet.status.${payment.status}\`)`. Every catalog key must be named whole somewhere in `src/` or
 * start with one of these prefixes, and every key the code builds must start with one of them:
 * `test/locales.test.ts` holds the catalogs and the code to both, so a catalog carries no key the shop never shows
 * and a new built key is listed here (with its catalog entries in every language).
 *
 * A redirect's notice, `?done=<area>.<name>`, is the key `<area>.<name>` as `src/http/notice.ts` reads it
 * (`<area>.notices.<name>`): the test reads those whole too; those built from a value are listed here.
 */
export const DYNAMIC_KEY_PREFIXES: readonly string[] = [
  // Statuses and kinds, as badges, table cells and bot lines.
  'account.tokens.scopes.',
  'adminMoney.customers.roles.',
  'adminMoney.subscriptionStatus.',
  'adminOps.actors.',
  'adminOps.audit.subjectTypes.', // views/admin/audit-views.ts: what an event is about
  'adminOps.health.', // badge(ctx, 'health', …) in views/admin/widgets.ts, as for the next four
  'adminOps.jobState.',
  'adminOps.onOff.',
  'adminOps.orderStatus.',
  'adminOps.subStatus.',
  'adminOps.drift.field.',
  'adminOps.dryRun.actions.',
  'adminOps.dryRun.reasons.',
  'adminOps.panels.credentialType.',
  'builder.parts.',
  'figures.columns.', // app/stats/figure-sections.ts: a figures table's headings
  'figures.hints.', // views/admin/owner-figures.ts: each section's title and hint, by section
  'figures.sections.',
  'figures.sources.', // an acquisition source kind (the SDK's ACQUISITION_SOURCE_KINDS)
  'builder.reasons.',
  'checkout.order.statuses.',
  'sharing.reasons.',
  'evacuation.outcomes.',
  'storefronts.refusals.', // why a storefront's buyer cannot buy now (`StorefrontRefusedError`'s reason)
  'storefronts.status.', // a storefront's state, badges on the owner's pages
  'storefronts.withdrawalStatus.', // a withdrawal's state, the payout queue and the reseller's back office
  'storefrontOffice.bot.', // a storefront bot's health (`StorefrontBotHealth.state`) in the reseller's back office in the bot
  'evacuation.stays.',
  'extension.actions.',
  'extension.basis.',
  'linkPage.platforms.',
  'receiptsQueue.statuses.',
  'receiptsQueue.bulk.result.',
  'staff.roles.',
  'trials.admin.matched.', // views/admin/trial-refusals-page.ts: what matched another account
  'trials.admin.reasons.',
  'subscription.duration.',
  'subscription.notes.',
  'subscription.status.',
  'wallet.invoice.status.',
  'wallet.kinds.',
  'wallet.paymentNotes.',
  'wallet.providers.',
  'wallet.status.',
  'devices.policy.', // a plan's no-id policy
  'devices.notify.', // db/notification-kinds.ts: the device notices' texts live in their own area
  'growth.notify.', // db/notification-kinds.ts: the growth notices' texts live in their own area
  'campaigns.notify.', // db/notification-kinds.ts: the campaign notices' texts live in their own area
  'campaigns.refused.', // routes/campaigns.ts: why a buyer did not join, by the use case's reason
  'support.notify.', // db/notification-kinds.ts: the ticket notices' texts live in their own area
  'support.status.', // a ticket's status, as a badge and a bot line
  'support.statusIcon.',
  'gifts.notify.', // db/notification-kinds.ts: the gift notices' texts live in their own area
  'storefronts.notify.', // db/notification-kinds.ts: a storefront's notices' texts live in its own area
  'kinds.notify.', // db/notification-kinds.ts: the re-import notice's texts live with the kinds' texts
  'import.kinds.',
  'import.reasons.', // why a row was not brought over, by the SDK's ImportUnmappedReason
  'import.rows.',
  'import.states.',
  'payRails.rails.', // a gateway rail's own texts, by rail (cryptobot, zarinpal, epay)
  'payRails.methods.', // a way to pay at a gateway (EPay's alipay, wxpay), and its bot button
  'payRails.settings.epayModes.',
  'auditWords.actions.',
  'discounts.admin.uses_',
  'guides.apps.',
  'notifications.kinds.',
  'notifications.names.',
  'notifications.reasons.',
  'resellers.buyer.events.',
  'telegram.commands.',
  'telegram.receipts.', // what a receipt's decision says (approved, rejected, already…)
  'telegram.start.link.',
  // Why something was refused, by the engine's reason code.
  'adminMoney.errors.',
  'adminOps.orders.refund.refused.',
  'adminStats.errors.',
  'figures.errors.', // app/stats/figure-months.ts: why typed months were refused
  'checkout.refused.',
  'devicePacks.reasons.', // a device pack's refusal, by the SDK's DevicePackDenyReason
  'devicePacks.refused.',
  'discounts.reasons.',
  'devices.nextSteps.',
  'devices.refusals.',
  'miniapp.refused.',
  'payRails.stars.refused.',
  'extension.reasons.',
  'gifts.refused.', // app/gifts/gift-refusals.ts: the engine's reason a gift was not bought or claimed
  'planChange.reasons.',
  'planChange.refused.', // app/selling/refusals.ts: `${area}.refused.…` for planChange and traffic
  'subscription.autoRenewRefused.',
  'traffic.reasons.',
  'traffic.refused.',
  // Notices built from a value: the bot's and the redirects' (`?done=…`).
  'adminMoney.notices.',
  'adminOps.notices.subscription_',
  'adminOps.subscriptions.', // the bot's buttons, by operation (suspend, resume, terminate…)
  'subscription.notices.auto_renew_',
  'wallet.notices.',
  'payRails.notices.',
  // Sign-in without Telegram: the code mails by purpose, refusals by reason, the provider presets by name.
  'signin.mail.',
  'signin.refused.',
  'signin.providers.presets.',
];
