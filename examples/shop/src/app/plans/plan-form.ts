import type { NewPlan, Plan, PlanPatch } from '@panelkit/sdk';
import { ENTITLEMENT_KINDS } from '@panelkit/sdk/kinds';
import { NewPlanSchema, PlanPatchSchema } from '@panelkit/sdk/schemas';
import { z } from 'zod';
import { checkbox, optionalText, optionalWholeNumber, tagList, wholeNumber } from '../input/form-fields.js';
import { fieldErrors, parseForm, type FieldErrors } from '../input/forms.js';
import { minorDigits, parseMajorAmount } from '../../i18n/format.js';
import { planListedPrice, type ListedPrice } from '../../i18n/plan-text.js';
import type { Translate } from '../../i18n/translate.js';
import {
  builderFieldOf,
  builderFormValues,
  builderFrom,
  echoBuilderValues,
  majorAmountText,
  NO_BUILDER_VALUES,
  type BuilderFormValues,
} from './plan-builder-form.js';

const GiB = 1024 ** 3;

/** Gibibytes as typed ("50", "0.5"), or `null` when empty (unlimited). */
const optionalGiB = z
  .string()
  .trim()
  .max(20)
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return null;
    if (!/^\d{1,7}(\.\d{1,3})?$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'adminOps.forms.gib' });
      return z.NEVER;
    }
    return Math.round(Number(v) * GiB);
  });

const days = z
  .string()
  .trim()
  .regex(/^\d{1,4}(\.\d{1,2})?$/, 'adminOps.forms.days')
  .transform(Number);

/** A select of target ids: none, one (a string) or several (repeated field). */
const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((id) => id !== ''));

/** The "What it sells" checkboxes: none, one (a string) or several (repeated field), each one of the SDK's kinds. */
const kindList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.enum(ENTITLEMENT_KINDS, { message: 'forms.invalid' })));

/** The form's hidden marker that the kind checkboxes were on it: then none ticked is a refusal, not "unchanged". */
export const KINDS_SHOWN_FIELD = 'kindsShown';

/**
 * The kinds to save: those ticked; with none ticked, `null` (refused: a plan sells at least one) when the form showed
 * the checkboxes, else (a post from a client that never sends them) the plan's own, or Xray for a new plan.
 */
function chosenKinds(ticked: Plan['kinds'], body: unknown, existing: Plan | null): Plan['kinds'] | null {
  if (ticked.length > 0) return ticked;
  const shown = typeof body === 'object' && body !== null && KINDS_SHOWN_FIELD in body;
  return shown ? null : (existing?.kinds ?? ['xray']);
}

/** The plan form as typed; ranges and the rest are the SDK's (`NewPlanSchema`) to judge. */
export const PlanFormSchema = z.object({
  name: z.string().trim().min(1, 'forms.required').max(200),
  family: z.string().trim().min(1, 'forms.required').max(100),
  /** What one unit sells (`Plan.kinds`): Xray, WireGuard, AmneziaWG, Telegram proxy; at least one. */
  kinds: kindList,
  description: optionalText(2000),
  price: z.string().trim().max(20),
  durationDays: wholeNumber,
  trafficGiB: optionalGiB,
  deviceLimit: optionalWholeNumber,
  /** What the link does with apps that send no device id; absent: a new plan serves them, an edit keeps the plan's. */
  noHwidPolicy: z.enum(['serve', 'refuse'], { message: 'forms.invalid' }).optional(),
  maxClients: optionalWholeNumber,
  allowedLocations: tagList(64),
  preferredTargetIds: idList,
  autoProvision: checkbox,
  renewable: checkbox,
  startOnFirstUse: checkbox,
  onSale: checkbox,
  trialDays: optionalWholeNumber,
  trialGiB: optionalGiB,
  /** A paid trial's price as typed; empty: a free trial. */
  trialPrice: optionalText(20),
  /** The trial needs a phone number the channel verified (the bot asks for the buyer's own contact). */
  trialRequirePhone: checkbox,
  /** A family plan's seats: how many members the payer may invite; empty: a plan for one. */
  seats: optionalWholeNumber,
  extensionWindowDays: days,
  /** An extension's price (also auto-renewal's) in major units; empty: the plan's price. */
  extensionPrice: optionalText(20),
  trafficOnExtend: z.enum(['replace', 'carry_over']),
  daysOnExtend: z.enum(['stack', 'restart']),
  /** Price of one extra GiB in major units; empty: extra traffic is not sold. */
  topUpPricePerGiB: optionalText(20),
  topUpMaxGiB: optionalWholeNumber,
  /** Price of one extra device per 30 days in major units; empty: extra devices are not sold. */
  devicePackPrice: optionalText(20),
  /** Most extra devices a subscription may hold on top of the plan's limit. */
  devicePackMax: optionalWholeNumber,
});

/** What the form shows: every field as text (or a flag, or the chosen target ids), the builder's among them. */
export interface PlanFormValues extends BuilderFormValues {
  name: string;
  family: string;
  /** The kinds ticked. */
  kinds: string[];
  description: string;
  price: string;
  durationDays: string;
  trafficGiB: string;
  deviceLimit: string;
  noHwidPolicy: string;
  maxClients: string;
  allowedLocations: string;
  preferredTargetIds: string[];
  autoProvision: boolean;
  renewable: boolean;
  startOnFirstUse: boolean;
  onSale: boolean;
  trialDays: string;
  trialGiB: string;
  trialPrice: string;
  trialRequirePhone: boolean;
  seats: string;
  extensionWindowDays: string;
  extensionPrice: string;
  trafficOnExtend: string;
  daysOnExtend: string;
  topUpPricePerGiB: string;
  topUpMaxGiB: string;
  devicePackPrice: string;
  devicePackMax: string;
}

export const NEW_PLAN_VALUES: PlanFormValues = {
  name: '',
  family: '',
  kinds: ['xray'],
  description: '',
  price: '',
  durationDays: '30',
  trafficGiB: '',
  deviceLimit: '',
  noHwidPolicy: 'serve',
  maxClients: '',
  allowedLocations: '',
  preferredTargetIds: [],
  autoProvision: true,
  renewable: true,
  startOnFirstUse: false,
  onSale: true,
  trialDays: '',
  trialGiB: '',
  trialPrice: '',
  trialRequirePhone: false,
  seats: '',
  extensionWindowDays: '3',
  extensionPrice: '',
  trafficOnExtend: 'replace',
  daysOnExtend: 'stack',
  topUpPricePerGiB: '',
  topUpMaxGiB: '',
  devicePackPrice: '',
  devicePackMax: '',
  ...NO_BUILDER_VALUES,
};

const gib = (bytes: number | null) => (bytes === null ? '' : String(Math.round((bytes / GiB) * 1000) / 1000));

export function planFormValues(plan: Plan): PlanFormValues {
  const digits = minorDigits(plan.price.currency);
  return {
    name: plan.name,
    family: plan.family,
    kinds: [...plan.kinds],
    description: plan.description ?? '',
    price: (plan.price.amount / 10 ** digits).toFixed(digits),
    durationDays: String(plan.durationDays),
    trafficGiB: gib(plan.trafficBytes),
    deviceLimit: plan.deviceLimit === null ? '' : String(plan.deviceLimit),
    noHwidPolicy: plan.noHwidPolicy,
    maxClients: plan.maxClients === null ? '' : String(plan.maxClients),
    allowedLocations: plan.placement.allowedLocations.join(', '),
    preferredTargetIds: [...plan.placement.preferredTargetIds],
    autoProvision: plan.autoProvision,
    renewable: plan.renewable,
    startOnFirstUse: plan.startOnFirstUse,
    onSale: plan.onSale,
    trialDays: plan.trial === null ? '' : String(plan.trial.days),
    trialGiB: plan.trial === null ? '' : gib(plan.trial.trafficBytes),
    trialPrice: plan.trial?.price ? (plan.trial.price.amount / 10 ** digits).toFixed(digits) : '',
    trialRequirePhone: plan.trial?.requirePhone === true,
    seats: plan.sharing === null ? '' : String(plan.sharing.maxMembers),
    extensionWindowDays: String(plan.extension.windowDays),
    extensionPrice: plan.extension.price === null ? '' : majorAmountText(plan.extension.price),
    trafficOnExtend: plan.extension.trafficOnExtend,
    daysOnExtend: plan.extension.daysOnExtend,
    topUpPricePerGiB: plan.trafficTopUp === null ? '' : (plan.trafficTopUp.pricePerGiB.amount / 10 ** digits).toFixed(digits),
    topUpMaxGiB: plan.trafficTopUp === null ? '' : String(plan.trafficTopUp.maxGiBPerPurchase),
    devicePackPrice: plan.devicePack === null ? '' : (plan.devicePack.pricePer30Days.amount / 10 ** digits).toFixed(digits),
    devicePackMax: plan.devicePack === null ? '' : String(plan.devicePack.maxExtraDevices),
    ...builderFormValues(plan.builder),
  };
}

/** The submitted values, to show again with the errors. */
export function echoPlanValues(body: unknown): PlanFormValues {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const s = (name: keyof PlanFormValues) => (typeof b[name] === 'string' ? (b[name] as string) : '');
  const ids = b['preferredTargetIds'];
  const strings = (v: unknown) =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return {
    name: s('name'),
    family: s('family'),
    kinds: strings(b['kinds']),
    description: s('description'),
    price: s('price'),
    durationDays: s('durationDays'),
    trafficGiB: s('trafficGiB'),
    deviceLimit: s('deviceLimit'),
    noHwidPolicy: s('noHwidPolicy'),
    maxClients: s('maxClients'),
    allowedLocations: s('allowedLocations'),
    preferredTargetIds: strings(ids),
    autoProvision: b['autoProvision'] !== undefined,
    renewable: b['renewable'] !== undefined,
    startOnFirstUse: b['startOnFirstUse'] !== undefined,
    onSale: b['onSale'] !== undefined,
    trialDays: s('trialDays'),
    trialGiB: s('trialGiB'),
    trialPrice: s('trialPrice'),
    trialRequirePhone: b['trialRequirePhone'] !== undefined,
    seats: s('seats'),
    extensionWindowDays: s('extensionWindowDays'),
    extensionPrice: s('extensionPrice'),
    trafficOnExtend: s('trafficOnExtend'),
    daysOnExtend: s('daysOnExtend'),
    topUpPricePerGiB: s('topUpPricePerGiB'),
    topUpMaxGiB: s('topUpMaxGiB'),
    devicePackPrice: s('devicePackPrice'),
    devicePackMax: s('devicePackMax'),
    ...echoBuilderValues(b),
  };
}

/** Where an SDK issue path shows in the form. */
function formFieldOf(path: string): string {
  if (path.startsWith('price')) return 'price';
  if (path === 'trafficBytes') return 'trafficGiB';
  if (path.startsWith('trial.trafficBytes')) return 'trialGiB';
  if (path.startsWith('trial.price')) return 'trialPrice';
  if (path.startsWith('trial.requirePhone')) return 'trialRequirePhone';
  if (path.startsWith('trial')) return 'trialDays';
  if (path.startsWith('placement.allowedLocations')) return 'allowedLocations';
  if (path.startsWith('placement.preferredTargetIds')) return 'preferredTargetIds';
  if (path.startsWith('extension.windowDays')) return 'extensionWindowDays';
  if (path.startsWith('extension.price')) return 'extensionPrice';
  if (path.startsWith('extension.trafficOnExtend')) return 'trafficOnExtend';
  if (path.startsWith('extension.daysOnExtend')) return 'daysOnExtend';
  if (path.startsWith('trafficTopUp.pricePerGiB')) return 'topUpPricePerGiB';
  if (path.startsWith('trafficTopUp.maxGiBPerPurchase')) return 'topUpMaxGiB';
  if (path.startsWith('devicePack.pricePer30Days')) return 'devicePackPrice';
  if (path.startsWith('devicePack.maxExtraDevices')) return 'devicePackMax';
  if (path.startsWith('sharing')) return 'seats';
  if (path.startsWith('builder')) return builderFieldOf(path);
  return path.split('.')[0] ?? '_form';
}

function sdkErrors(error: z.ZodError, t: Translate): FieldErrors {
  const fields: FieldErrors = {};
  for (const [path, message] of Object.entries(fieldErrors(error, t))) fields[formFieldOf(path)] ??= message;
  return fields;
}

/** The form's plan, and the price buyers will see it listed at (`planListedPrice`); or the fields' messages. */
export type PlanFormResult<T> = { ok: true; input: T; listed: ListedPrice } | { ok: false; fields: FieldErrors };

/**
 * The form as the SDK's plan fields: the shape is checked here, the rules (lengths, ranges) by
 * `NewPlanSchema`/`PlanPatchSchema`, whose messages land on the matching inputs. Targets must be
 * known ones. An edit keeps what the form does not show (required target tags).
 * An empty price per GiB means the plan sells no extra traffic; an empty price per extra device, no extra devices
 * (a plan sells them only with a device limit, and then says how many at most). Seats make a family plan; a base
 * price makes the buyer compose the plan from its priced parts (`builderFrom`); a trial may ask for a verified phone.
 */
export function planInputFrom(
  body: unknown,
  t: Translate,
  currency: string,
  knownTargetIds: ReadonlySet<string>,
  existing: Plan | null,
): PlanFormResult<NewPlan> {
  const parsed = parseForm(PlanFormSchema, body, t);
  const built = builderFrom(body, t, currency);
  const fields: FieldErrors = { ...(built.ok ? {} : built.fields), ...(parsed.ok ? {} : parsed.fields) };
  const price = parseMajorAmount(
    typeof (body as Record<string, unknown>)?.['price'] === 'string' ? ((body as Record<string, unknown>)['price'] as string) : '',
    currency,
  );
  if (price === null) fields['price'] ??= t('forms.amount');
  const kinds = parsed.ok ? chosenKinds(parsed.data.kinds, body, existing) : null;
  if (parsed.ok && kinds === null) fields['kinds'] ??= t('kinds.admin.atLeastOne');
  if (!parsed.ok || price === null || !built.ok || kinds === null) return { ok: false, fields };
  const f = parsed.data;
  if (f.preferredTargetIds.some((id) => !knownTargetIds.has(id)))
    return { ok: false, fields: { preferredTargetIds: t('adminOps.forms.unknownTarget') } };
  if (new Set(f.preferredTargetIds).size !== f.preferredTargetIds.length)
    return { ok: false, fields: { preferredTargetIds: t('adminOps.forms.repeatedTarget') } };
  if (f.trialDays === null && f.trialGiB !== null) return { ok: false, fields: { trialDays: t('adminOps.forms.trialDaysNeeded') } };
  const trialPrice = f.trialPrice === '' ? null : parseMajorAmount(f.trialPrice, currency);
  if (trialPrice === null && f.trialPrice !== '') return { ok: false, fields: { trialPrice: t('forms.amount') } };
  if (trialPrice !== null && f.trialDays === null) return { ok: false, fields: { trialDays: t('adminOps.forms.trialDaysNeeded') } };
  if (f.trialRequirePhone && f.trialDays === null) return { ok: false, fields: { trialDays: t('planForm.phoneTrialDaysNeeded') } };
  const extensionPrice = f.extensionPrice === '' ? null : parseMajorAmount(f.extensionPrice, currency);
  if (extensionPrice === null && f.extensionPrice !== '') return { ok: false, fields: { extensionPrice: t('forms.amount') } };
  const topUpPrice = f.topUpPricePerGiB === '' ? null : parseMajorAmount(f.topUpPricePerGiB, currency);
  if (topUpPrice === null && f.topUpPricePerGiB !== '') return { ok: false, fields: { topUpPricePerGiB: t('forms.amount') } };
  if (topUpPrice === null && f.topUpMaxGiB !== null)
    return { ok: false, fields: { topUpPricePerGiB: t('adminOps.forms.topUpPriceNeeded') } };
  const packPrice = f.devicePackPrice === '' ? null : parseMajorAmount(f.devicePackPrice, currency);
  if (packPrice === null && f.devicePackPrice !== '') return { ok: false, fields: { devicePackPrice: t('forms.amount') } };
  if (packPrice === null && f.devicePackMax !== null) return { ok: false, fields: { devicePackPrice: t('devicePacks.admin.priceNeeded') } };
  if (packPrice !== null && f.deviceLimit === null) return { ok: false, fields: { devicePackPrice: t('devicePacks.admin.limitNeeded') } };
  if (packPrice !== null && f.devicePackMax === null) return { ok: false, fields: { devicePackMax: t('forms.required') } };
  const plan: NewPlan & PlanPatch = {
    name: f.name,
    family: f.family,
    kinds,
    description: f.description === '' ? null : f.description,
    price: { amount: price, currency },
    durationDays: f.durationDays,
    trafficBytes: f.trafficGiB,
    deviceLimit: f.deviceLimit,
    noHwidPolicy: f.noHwidPolicy ?? existing?.noHwidPolicy ?? 'serve',
    maxClients: f.maxClients,
    placement: {
      preferredTargetIds: f.preferredTargetIds,
      allowedLocations: f.allowedLocations,
      requiredTargetTags: existing?.placement.requiredTargetTags ?? [],
    },
    autoProvision: f.autoProvision,
    trial:
      f.trialDays === null
        ? null
        : {
            days: f.trialDays,
            trafficBytes: f.trialGiB,
            // The bot verifies a buyer's phone (their own contact, `telegram/buyer/phone-trial.ts`); other channels refuse such a trial.
            ...(f.trialRequirePhone ? { requirePhone: true } : {}),
            ...(trialPrice === null || trialPrice === 0 ? {} : { price: { amount: trialPrice, currency } }),
          },
    renewable: f.renewable,
    startOnFirstUse: f.startOnFirstUse,
    extension: {
      windowDays: f.extensionWindowDays,
      trafficOnExtend: f.trafficOnExtend,
      daysOnExtend: f.daysOnExtend,
      price: extensionPrice === null ? null : { amount: extensionPrice, currency },
    },
    onSale: f.onSale,
    trafficTopUp: topUpPrice === null ? null : { pricePerGiB: { amount: topUpPrice, currency }, maxGiBPerPurchase: f.topUpMaxGiB ?? 1000 },
    devicePack: packPrice === null ? null : { pricePer30Days: { amount: packPrice, currency }, maxExtraDevices: f.devicePackMax ?? 1 },
    sharing: f.seats === null ? null : { maxMembers: f.seats },
    builder: built.builder,
  };
  const checked = existing === null ? NewPlanSchema.safeParse(plan) : PlanPatchSchema.safeParse(plan);
  if (!checked.success) return { ok: false, fields: sdkErrors(checked.error, t) };
  const listed = planListedPrice({
    price: { amount: price, currency },
    builder: built.builder,
    durationDays: f.durationDays,
    trafficBytes: f.trafficGiB,
    deviceLimit: f.deviceLimit,
  });
  return { ok: true, input: plan, listed };
}
