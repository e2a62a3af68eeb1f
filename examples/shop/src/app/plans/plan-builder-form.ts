import type { Money } from '@panelkit/sdk';
import { builtFromPrice, PlanBuilderSchema, type PlanBuilder } from '@panelkit/sdk/plan-builder';
import { z } from 'zod';
import { optionalText, tagList } from '../input/form-fields.js';
import { fieldErrors, parseForm, type FieldErrors } from '../input/forms.js';
import { minorDigits, parseMajorAmount } from '../../i18n/format.js';
import type { Translate } from '../../i18n/translate.js';

/** The parts of a built plan as the form names them (`builder<Part>Price`…), each with the SDK builder's key. */
export const BUILDER_PARTS = [
  { name: 'Locations', key: 'locations' },
  { name: 'Devices', key: 'devices' },
  { name: 'Traffic', key: 'trafficGiB' },
  { name: 'Days', key: 'durationDays' },
] as const;

/** A part as the form names it (`Devices`). */
export type PartName = (typeof BUILDER_PARTS)[number]['name'];
type PartKey = (typeof BUILDER_PARTS)[number]['key'];
/** One of a part's fields: its unit price, least, most and step. */
export type PartField = 'Price' | 'Min' | 'Max' | 'Step';

/** Every field of the builder's fieldset: the base price, each part's unit price and limits, the location options. */
export type BuilderFieldName = 'builderBasePrice' | 'builderLocationsOptions' | `builder${PartName}${PartField}`;

/** A builder field typed as one string (every one but the location options). */
export type TextField = Exclude<BuilderFieldName, 'builderLocationsOptions'>;

/** The name of one of a part's fields (`builderDevicesMin`). */
export const partField = (name: PartName, field: PartField): TextField => `builder${name}${field}`;

/** The builder's fields as the form shows them; all empty is a fixed plan. */
export type BuilderFormValues = Record<BuilderFieldName, string>;

const PART_FIELDS: readonly PartField[] = ['Price', 'Min', 'Max', 'Step'];

/** Every builder field name, in the order the form shows them. */
export const BUILDER_FIELDS: readonly BuilderFieldName[] = [
  'builderBasePrice',
  ...BUILDER_PARTS.flatMap(({ name }) => [
    ...PART_FIELDS.map((f) => partField(name, f)),
    ...(name === 'Locations' ? (['builderLocationsOptions'] as const) : []),
  ]),
];

/** A fixed plan's builder fields: all empty. */
export const NO_BUILDER_VALUES: BuilderFormValues = Object.fromEntries(BUILDER_FIELDS.map((f) => [f, ''])) as BuilderFormValues;

/** An amount in minor units as the owner types it ("6.70"). */
export function majorAmountText(money: Money): string {
  const digits = minorDigits(money.currency);
  return (money.amount / 10 ** digits).toFixed(digits);
}

/** A plan's builder as the form shows it (`null`: a fixed plan, every field empty). */
export function builderFormValues(builder: PlanBuilder | null): BuilderFormValues {
  const values = { ...NO_BUILDER_VALUES };
  if (builder === null) return values;
  values.builderBasePrice = majorAmountText(builder.basePrice);
  for (const { name, key } of BUILDER_PARTS) {
    const part = builder[key];
    if (part === null) continue;
    values[partField(name, 'Price')] = majorAmountText(part.unitPrice);
    values[partField(name, 'Min')] = String(part.min);
    values[partField(name, 'Max')] = String(part.max);
    values[partField(name, 'Step')] = String(part.step);
  }
  values.builderLocationsOptions = builder.locations?.options.join(', ') ?? '';
  return values;
}

/** The submitted builder fields, to show again with the errors. */
export function echoBuilderValues(body: Record<string, unknown>): BuilderFormValues {
  return Object.fromEntries(BUILDER_FIELDS.map((f) => [f, typeof body[f] === 'string' ? body[f] : ''])) as BuilderFormValues;
}

const textFields = Object.fromEntries(
  BUILDER_FIELDS.filter((f) => f !== 'builderLocationsOptions').map((f) => [f, optionalText(20)]),
) as Record<TextField, ReturnType<typeof optionalText>>;

/** The builder's fields as typed: single strings (a repeated field is refused), the options as location tags. */
const BuilderFieldsSchema = z.object({ ...textFields, builderLocationsOptions: tagList(64) });

/** Where an SDK issue about the builder (`builder.devices.min`, `builder.basePrice.amount`) shows in the form. */
export function builderFieldOf(path: string): BuilderFieldName {
  const [, key, field] = path.split('.');
  const part = BUILDER_PARTS.find((p) => p.key === key);
  if (part === undefined) return 'builderBasePrice';
  if (field === 'options') return 'builderLocationsOptions';
  const named: Record<string, PartField> = { unitPrice: 'Price', min: 'Min', max: 'Max', step: 'Step' };
  return partField(part.name, named[field ?? ''] ?? 'Price');
}

const WHOLE = /^\d{1,9}$/;

export type BuilderFormResult = { ok: true; builder: PlanBuilder | null } | { ok: false; fields: FieldErrors };

/**
 * The builder's fields as the SDK's `Plan.builder`: empty everywhere is a fixed plan (`null`); a base price makes the
 * buyer compose the plan from the parts that have a unit price (each with its least and most, its step 1 when
 * empty; the locations part with its options). Every price is in `currency`. The SDK's `PlanBuilderSchema` judges
 * the ranges; its messages, and the form's own (a part's limits without its price, most below least, a base price
 * too large to add up), land on the matching inputs.
 */
export function builderFrom(body: unknown, t: Translate, currency: string): BuilderFormResult {
  const parsed = parseForm(BuilderFieldsSchema, body, t);
  if (!parsed.ok) return parsed;
  const f = parsed.data;
  const fields: FieldErrors = {};
  const refuse = (name: BuilderFieldName, key: string) => void (fields[name] ??= t(key));
  const amount = (name: TextField): Money | null => {
    const minor = parseMajorAmount(f[name], currency);
    if (minor === null) refuse(name, 'forms.amount');
    return minor === null ? null : { amount: minor, currency };
  };
  const count = (name: TextField, fallback: number | null): number | null => {
    const text = f[name];
    if (text === '' && fallback !== null) return fallback;
    if (!WHOLE.test(text)) refuse(name, text === '' ? 'forms.required' : 'forms.wholeNumber');
    return WHOLE.test(text) ? Number(text) : null;
  };

  const parts: Partial<Record<PartKey, object>> = {};
  for (const { name, key } of BUILDER_PARTS) {
    const typed = PART_FIELDS.some((p) => f[partField(name, p)] !== '') || (key === 'locations' && f.builderLocationsOptions.length > 0);
    if (!typed) continue;
    if (f[partField(name, 'Price')] === '') {
      refuse(partField(name, 'Price'), 'planForm.builder.partPriceNeeded');
      continue;
    }
    const unitPrice = amount(partField(name, 'Price'));
    const min = count(partField(name, 'Min'), null);
    const max = count(partField(name, 'Max'), null);
    const step = count(partField(name, 'Step'), 1);
    if (min !== null && max !== null && max < min) refuse(partField(name, 'Max'), 'planForm.builder.maxBelowMin');
    if (key === 'locations') {
      if (f.builderLocationsOptions.length === 0) refuse('builderLocationsOptions', 'forms.required');
      else if (min !== null && min > f.builderLocationsOptions.length) refuse('builderLocationsMin', 'planForm.builder.minAboveOptions');
    }
    parts[key] = { unitPrice, min, max, step, ...(key === 'locations' ? { options: f.builderLocationsOptions } : {}) };
  }
  if (f.builderBasePrice === '') {
    if (Object.keys(parts).length > 0 || Object.keys(fields).length > 0) refuse('builderBasePrice', 'planForm.builder.baseNeeded');
    return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, builder: null };
  }
  const basePrice = amount('builderBasePrice');
  if (Object.keys(fields).length > 0) return { ok: false, fields };

  const checked = PlanBuilderSchema.safeParse({ basePrice, ...parts });
  if (!checked.success) {
    for (const [path, message] of Object.entries(fieldErrors(checked.error, t))) fields[builderFieldOf(`builder.${path}`)] ??= message;
    return { ok: false, fields };
  }
  // The builder's defaults must have a price (`builtFromPrice`): it is what every listing shows.
  if (builtFromPrice({ builder: checked.data, durationDays: 1, trafficBytes: null, deviceLimit: null }) === null)
    return { ok: false, fields: { builderBasePrice: t('planForm.builder.tooLarge') } };
  return { ok: true, builder: checked.data };
}
