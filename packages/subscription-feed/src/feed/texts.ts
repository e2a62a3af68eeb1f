/**
 * The words the feed puts in front of a buyer: the placeholder entries' names and the `announce` banner's lines,
 * in the four languages the package ships (English, Russian, Farsi, Chinese). A host passes its own (whole or in
 * part, for any language) through the handler's `texts` option; a language without texts falls back to English.
 * `{url}` and `{date}` are filled in per answer.
 */
import type { BlockReason } from './placeholder.js';

/** Every text the feed writes, by name. */
export type FeedTexts = Readonly<Record<BlockReason | 'renewAt' | 'devicesAt' | 'moveTo' | 'endsSoon' | 'trafficLow', string>>;

/** The texts the package ships, by language. */
export const FEED_TEXTS: Readonly<Record<'en' | 'ru' | 'fa' | 'zh', FeedTexts>> = {
  en: {
    expired: '⛔ Your subscription has ended',
    limited: '⛔ Your traffic is used up',
    suspended: '⛔ Your subscription is paused',
    device_limit_reached: '⛔ Too many devices use this subscription',
    hwid_required: '⛔ This app must identify the device',
    trial_already_used: '⛔ This device has already had a trial: choose a paid plan',
    renewAt: 'Renew: {url}',
    devicesAt: 'Manage devices: {url}',
    moveTo: 'This address is retired: add {url} to your app.',
    endsSoon: 'Your subscription ends on {date}. Renew: {url}',
    trafficLow: 'Your traffic is almost used up. Add more: {url}',
  },
  ru: {
    expired: '⛔ Срок подписки истёк',
    limited: '⛔ Трафик закончился',
    suspended: '⛔ Подписка приостановлена',
    device_limit_reached: '⛔ Подпиской пользуется слишком много устройств',
    hwid_required: '⛔ Приложение должно передавать идентификатор устройства',
    trial_already_used: '⛔ На этом устройстве пробный период уже был: выберите платный тариф',
    renewAt: 'Продлить: {url}',
    devicesAt: 'Управление устройствами: {url}',
    moveTo: 'Этот адрес больше не используется: добавьте в приложение {url}.',
    endsSoon: 'Подписка заканчивается {date}. Продлить: {url}',
    trafficLow: 'Трафик почти закончился. Докупить: {url}',
  },
  fa: {
    expired: '⛔ اشتراک شما تمام شده است',
    limited: '⛔ حجم شما تمام شده است',
    suspended: '⛔ اشتراک شما متوقف شده است',
    device_limit_reached: '⛔ دستگاه‌های زیادی از این اشتراک استفاده می‌کنند',
    hwid_required: '⛔ این برنامه باید دستگاه را معرفی کند',
    trial_already_used: '⛔ این دستگاه قبلاً دورهٔ آزمایشی گرفته است: یک طرح پولی انتخاب کنید',
    renewAt: 'تمدید: {url}',
    devicesAt: 'مدیریت دستگاه‌ها: {url}',
    moveTo: 'این نشانی بازنشسته شده است: {url} را به برنامه‌تان اضافه کنید.',
    endsSoon: 'اشتراک شما در {date} تمام می‌شود. تمدید: {url}',
    trafficLow: 'حجم شما رو به پایان است. افزودن حجم: {url}',
  },
  zh: {
    expired: '⛔ 订阅已到期',
    limited: '⛔ 流量已用完',
    suspended: '⛔ 订阅已暂停',
    device_limit_reached: '⛔ 使用此订阅的设备过多',
    hwid_required: '⛔ 此客户端必须提供设备标识',
    trial_already_used: '⛔ 此设备已使用过试用：请选择付费套餐',
    renewAt: '续费：{url}',
    devicesAt: '管理设备：{url}',
    moveTo: '此地址已停用：请在客户端中添加 {url}。',
    endsSoon: '你的订阅将于 {date} 到期。续费：{url}',
    trafficLow: '流量即将用完。加购流量：{url}',
  },
};

/** A host's own texts: any language, any subset of the names (the rest from the package's, then English). */
export type FeedTextOverrides = Readonly<Record<string, Partial<FeedTexts>>>;

/** The texts for `locale`: the host's for it over the package's for it over English. */
export function feedTexts(locale: string, overrides: FeedTextOverrides = {}): FeedTexts {
  const shipped = (FEED_TEXTS as Record<string, FeedTexts | undefined>)[locale] ?? FEED_TEXTS.en;
  return { ...FEED_TEXTS.en, ...shipped, ...overrides[locale] };
}

/** `template` with each `{name}` replaced by `params.name`. */
export function fillText(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
