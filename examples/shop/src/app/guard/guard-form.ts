import type { ValidationIssue } from '@panelkit/sdk';
import type { GuardPolicy, GuardPolicyInput, GuardStep } from '@panelkit/sdk/guard';
import { GuardPolicySchema } from '@panelkit/sdk/rules';
import type { z } from 'zod';
import { asciiDigits } from '../input/digits.js';

/** The policy's number fields as the form names them (`slack.live` is `slackLive`). */
export const GUARD_NUMBER_FIELDS = [
  'windowHours',
  'overReadings',
  'spanHours',
  'overFraction',
  'slackRegistry',
  'slackLive',
  'slackWindowed',
  'absoluteThreshold',
  'limitDevices',
  'liftAfterCleanHours',
] as const;

/** One of {@link GUARD_NUMBER_FIELDS}. */
export type GuardNumberField = (typeof GUARD_NUMBER_FIELDS)[number];

/** The steps in the one order the SDK takes them (rising strength); the form offers each once, in this order. */
export const GUARD_FORM_STEPS: readonly GuardStep[] = ['warn', 'limit', 'suspend'];

/** The guard policy form as typed: numbers as text (so a refused value is shown back as typed), steps ticked or not. */
export interface GuardPolicyForm {
  enabled: boolean;
  numbers: Record<GuardNumberField, string>;
  steps: Record<GuardStep, { on: boolean; grace: string }>;
  exemptPlans: string[];
}

type NumberSchema = z.ZodNumber;
const shape = GuardPolicySchema.shape;
const slack = shape.slack.unwrap().shape;
const SCHEMAS: Record<GuardNumberField | 'graceHours', NumberSchema> = {
  windowHours: shape.windowHours.unwrap(),
  overReadings: shape.overReadings.unwrap(),
  spanHours: shape.spanHours.unwrap(),
  overFraction: shape.overFraction.unwrap(),
  slackRegistry: slack.registry.unwrap(),
  slackLive: slack.live.unwrap(),
  slackWindowed: slack.windowed.unwrap(),
  absoluteThreshold: shape.absoluteThreshold.unwrap(),
  limitDevices: shape.limitDevices.unwrap(),
  liftAfterCleanHours: shape.liftAfterCleanHours.unwrap().unwrap(),
  graceHours: shape.steps.unwrap().element.shape.graceHours.unwrap(),
};

/** The range the SDK's schema takes for a field, and whether it must be whole: the form's hint, so no bound is written twice. */
export function guardFieldRange(field: GuardNumberField | 'graceHours'): { min: number; max: number; whole: boolean } {
  const schema = SCHEMAS[field];
  return { min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER, whole: schema.isInt };
}

const SLACK_FIELD = { registry: 'slackRegistry', live: 'slackLive', windowed: 'slackWindowed' } as const;

/** The form filled from a stored policy. */
export function guardFormOf(policy: GuardPolicy): GuardPolicyForm {
  const numbers = {} as Record<GuardNumberField, string>;
  for (const field of GUARD_NUMBER_FIELDS) numbers[field] = '';
  for (const [key, value] of Object.entries(policy))
    if (typeof value === 'number' && key in numbers) numbers[key as GuardNumberField] = String(value);
  for (const [source, field] of Object.entries(SLACK_FIELD)) numbers[field] = String(policy.slack[source as keyof typeof SLACK_FIELD]);
  const steps = {} as GuardPolicyForm['steps'];
  for (const step of GUARD_FORM_STEPS) {
    const taken = policy.steps.find((s) => s.step === step);
    steps[step] = { on: taken !== undefined, grace: String(taken?.graceHours ?? 24) };
  }
  return { enabled: policy.enabled, numbers, steps, exemptPlans: [...policy.exemptPlans] };
}

const text = (value: unknown, max = 20): string => (typeof value === 'string' ? value.trim().slice(0, max) : '');
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => text(v, 64)).filter(Boolean);

/** The form as posted (`enabled`, each number, `step_<step>` ticked with `grace_<step>`, `exemptPlans` ticked). */
export function guardFormFrom(body: Record<string, unknown>): GuardPolicyForm {
  const numbers = {} as Record<GuardNumberField, string>;
  for (const field of GUARD_NUMBER_FIELDS) numbers[field] = text(body[field]);
  const steps = {} as GuardPolicyForm['steps'];
  for (const step of GUARD_FORM_STEPS) steps[step] = { on: body[`step_${step}`] === 'on', grace: text(body[`grace_${step}`]) };
  return { enabled: body['enabled'] === 'on', numbers, steps, exemptPlans: list(body['exemptPlans']).slice(0, 1000) };
}

/** A typed number (Persian or Arabic digits, a comma or Persian decimal sign); `NaN`, refused by the schema, for anything else. */
function numberOf(typed: string): number {
  const plain = asciiDigits(typed).replace(/[٫,]/g, '.');
  return /^\d+(\.\d+)?$/.test(plain) ? Number(plain) : Number.NaN;
}

/**
 * The policy the form asks for, for the SDK to validate (nothing is checked here: the schema is the one definition).
 * The exempt customers are not on the form: they stay as stored.
 */
export function guardPolicyInputOf(form: GuardPolicyForm, stored: GuardPolicy): GuardPolicyInput {
  const n = (field: GuardNumberField) => numberOf(form.numbers[field]);
  return {
    enabled: form.enabled,
    windowHours: n('windowHours'),
    overReadings: n('overReadings'),
    spanHours: n('spanHours'),
    overFraction: n('overFraction'),
    slack: { registry: n('slackRegistry'), live: n('slackLive'), windowed: n('slackWindowed') },
    absoluteThreshold: n('absoluteThreshold'),
    limitDevices: n('limitDevices'),
    steps: GUARD_FORM_STEPS.filter((step) => form.steps[step].on).map((step) => ({ step, graceHours: numberOf(form.steps[step].grace) })),
    liftAfterCleanHours: form.numbers.liftAfterCleanHours === '' ? null : n('liftAfterCleanHours'),
    exemptPlans: form.exemptPlans,
    exemptCustomers: stored.exemptCustomers,
  };
}

/**
 * The SDK's refusal of a policy as message keys on the form's fields: a number out of its range (the range is the
 * field's hint), the steps, the exempt plans; anything else on the form as a whole. `steps.<i>.graceHours` names the
 * `i`-th ticked step (the order {@link guardPolicyInputOf} sent them in).
 */
export function policyFieldErrors(issues: readonly ValidationIssue[], form?: GuardPolicyForm): Record<string, string> {
  const ticked = form === undefined ? GUARD_FORM_STEPS : GUARD_FORM_STEPS.filter((step) => form.steps[step].on);
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const [head, second, third] = String(issue.path).split('.');
    let field = '_form';
    if (head === 'slack' && second !== undefined && second in SLACK_FIELD) field = SLACK_FIELD[second as keyof typeof SLACK_FIELD];
    else if (head === 'steps' && third === 'graceHours') field = `grace_${ticked[Number(second)] ?? 'warn'}`;
    else if (head === 'steps') field = 'steps';
    else if (head === 'exemptPlans' || head === 'exemptCustomers') field = 'exemptPlans';
    else if (head !== undefined && (GUARD_NUMBER_FIELDS as readonly string[]).includes(head)) field = head;
    fields[field] ??=
      field === 'steps'
        ? 'guard.errors.steps'
        : field === '_form' || field === 'exemptPlans'
          ? 'guard.errors.invalid'
          : 'guard.errors.range';
  }
  return fields;
}
