import { NoHwidPolicySchema } from '../../domain/device.js';
import { ENTITLEMENT_KINDS, MTPROTO_SECRET_CORE_PATTERN, WIREGUARD_KEY_PATTERN, wireGuardPublicKey } from '../../domain/entitlement.js';
import type { EntitlementKind } from '../../domain/entitlement.js';
import type { Money } from '../../domain/money.js';
import { PLAN_OFFER_RULES } from '../../domain/plan.js';
import type { DevicePackOffer, ExtensionPolicy, PlanSharing, TrafficTopUp } from '../../domain/plan.js';
import { REMOTE_FIELD_MAX_LENGTH, underivedFields } from '../../domain/remote-identity.js';
import type { RemoteIdentity } from '../../domain/remote-identity.js';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription-status.js';
import { TERMS_FIELD_RULES } from '../../domain/subscription-terms.js';
import type { SubscriptionTerms } from '../../domain/subscription-terms.js';
import { SUBSCRIPTION_FIELD_RULES as RULES } from '../../domain/subscription.js';
import type { NewSubscriptionSchema } from '../../domain/subscription.js';
import type { z } from 'zod';
import { isDate, isId, isInteger, isOneOf, isPlainRecord, isText, moneyOf, nullableText, textsOf } from './hand-checks.js';

/*
 * A placement's subscription checked by hand, as `NewSubscriptionSchema` parses it (see hand-checks.ts): `undefined`
 * for a row the hand check does not accept (or leaves to zod: a label, a built plan's terms), which zod then decides.
 */

type ParsedSubscription = z.output<typeof NewSubscriptionSchema>;

function isCredential(value: unknown): value is string {
  return isText(value, 1, REMOTE_FIELD_MAX_LENGTH);
}

function remoteOf(value: unknown): RemoteIdentity | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { username, uuid, password, subId, ssKey, generation, adopted, wireguard, mtproto } = value;
  if (!isCredential(username) || !isCredential(uuid) || !isCredential(password) || !isCredential(subId) || !isCredential(ssKey))
    return undefined;
  if (!isInteger(generation, 0, Number.MAX_SAFE_INTEGER) || (adopted !== undefined && typeof adopted !== 'boolean')) return undefined;
  const remote: RemoteIdentity = { username, uuid, password, subId, ssKey, generation };
  if ('adopted' in value) remote.adopted = adopted as boolean | undefined;
  if (wireguard !== undefined) {
    if (!isPlainRecord(wireguard)) return undefined;
    const { privateKey, publicKey } = wireguard;
    if (typeof privateKey !== 'string' || !WIREGUARD_KEY_PATTERN.test(privateKey)) return undefined;
    if (typeof publicKey !== 'string' || !WIREGUARD_KEY_PATTERN.test(publicKey)) return undefined;
    if (wireGuardPublicKey(privateKey) !== publicKey) return undefined;
    remote.wireguard = { privateKey, publicKey };
  } else if ('wireguard' in value) remote.wireguard = undefined;
  if (mtproto !== undefined) {
    if (!isPlainRecord(mtproto)) return undefined;
    const { secretCore } = mtproto;
    if (typeof secretCore !== 'string' || !MTPROTO_SECRET_CORE_PATTERN.test(secretCore)) return undefined;
    remote.mtproto = { secretCore };
  } else if ('mtproto' in value) remote.mtproto = undefined;
  if (adopted !== true && underivedFields(remote).length > 0) return undefined;
  return remote;
}

/** Money that must be positive (`NonNegativeMoneySchema` refined), or `undefined`. */
function positiveMoneyOf(value: unknown): Money | undefined {
  return moneyOf(value, 1);
}

function extensionOf(value: unknown): ExtensionPolicy | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { windowDays, trafficOnExtend, daysOnExtend, price } = value;
  if (windowDays !== undefined) {
    if (typeof windowDays !== 'number' || !Number.isFinite(windowDays)) return undefined;
    if (windowDays < 0 || windowDays > PLAN_OFFER_RULES.windowDaysMax) return undefined;
  }
  if (trafficOnExtend !== undefined && !isOneOf(PLAN_OFFER_RULES.trafficOnExtend, trafficOnExtend)) return undefined;
  if (daysOnExtend !== undefined && !isOneOf(PLAN_OFFER_RULES.daysOnExtend, daysOnExtend)) return undefined;
  const parsedPrice = price === undefined || price === null ? null : moneyOf(price, 0);
  if (parsedPrice === undefined) return undefined;
  return {
    windowDays: windowDays ?? PLAN_OFFER_RULES.defaultWindowDays,
    trafficOnExtend: trafficOnExtend ?? PLAN_OFFER_RULES.trafficOnExtend[0],
    daysOnExtend: daysOnExtend ?? PLAN_OFFER_RULES.daysOnExtend[0],
    price: parsedPrice,
  };
}

function trafficTopUpOf(value: unknown): TrafficTopUp | undefined {
  if (!isPlainRecord(value)) return undefined;
  const pricePerGiB = positiveMoneyOf(value['pricePerGiB']);
  const max = value['maxGiBPerPurchase'] ?? PLAN_OFFER_RULES.defaultMaxGiBPerPurchase;
  if (pricePerGiB === undefined || !isInteger(max, 1, PLAN_OFFER_RULES.maxGiBPerPurchaseMax)) return undefined;
  return { pricePerGiB, maxGiBPerPurchase: max };
}

function devicePackOf(value: unknown): DevicePackOffer | undefined {
  if (!isPlainRecord(value)) return undefined;
  const pricePer30Days = positiveMoneyOf(value['pricePer30Days']);
  const maxExtraDevices = value['maxExtraDevices'];
  if (pricePer30Days === undefined || !isInteger(maxExtraDevices, 1, PLAN_OFFER_RULES.maxExtraDevicesMax)) return undefined;
  return { pricePer30Days, maxExtraDevices };
}

/** A plan's sharing: a strict object (no other key). */
function sharingOf(value: unknown): PlanSharing | undefined {
  if (!isPlainRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'maxMembers') return undefined;
  const maxMembers = value['maxMembers'];
  return isInteger(maxMembers, 1, PLAN_OFFER_RULES.maxMembersMax) ? { maxMembers } : undefined;
}

function kindsOf(value: unknown): EntitlementKind[] | undefined {
  if (value === undefined) return [TERMS_FIELD_RULES.defaultKind];
  if (!Array.isArray(value) || value.length < 1 || value.length > ENTITLEMENT_KINDS.length) return undefined;
  for (const kind of value) if (!isOneOf(ENTITLEMENT_KINDS, kind)) return undefined;
  return new Set(value).size === value.length ? [...(value as EntitlementKind[])] : undefined;
}

/** `null` or an offer, absent reading as `null` when `absentIsNull`; `undefined` when refused. */
function offerOf<T>(value: unknown, parse: (value: unknown) => T | undefined, absentIsNull: boolean): T | null | undefined {
  if (value === null || (value === undefined && absentIsNull)) return null;
  return parse(value);
}

function termsOf(value: unknown): SubscriptionTerms | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { price, durationDays, trafficBytes, deviceLimit, noHwidPolicy, renewable, startOnFirstUse, sharing } = value;
  // A built plan's terms are left to zod (its choice is a schema of its own).
  if (value['built'] !== undefined && value['built'] !== null) return undefined;
  const parsedPrice = moneyOf(price, 0);
  if (parsedPrice === undefined || !isInteger(durationDays, 1, TERMS_FIELD_RULES.durationDaysMax)) return undefined;
  if (trafficBytes !== null && !isInteger(trafficBytes, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (deviceLimit !== null && !isInteger(deviceLimit, 1, TERMS_FIELD_RULES.deviceLimitMax)) return undefined;
  if (noHwidPolicy !== undefined && !isOneOf(NoHwidPolicySchema.options, noHwidPolicy)) return undefined;
  if (typeof renewable !== 'boolean' || typeof startOnFirstUse !== 'boolean') return undefined;
  const extension = extensionOf(value['extension']);
  const trafficTopUp = offerOf(value['trafficTopUp'], trafficTopUpOf, false);
  const devicePack = offerOf(value['devicePack'], devicePackOf, true);
  const kinds = kindsOf(value['kinds']);
  if (extension === undefined || trafficTopUp === undefined || devicePack === undefined || kinds === undefined) return undefined;
  const terms: SubscriptionTerms = {
    price: parsedPrice,
    durationDays,
    trafficBytes,
    deviceLimit,
    noHwidPolicy: noHwidPolicy ?? TERMS_FIELD_RULES.defaultNoHwidPolicy,
    renewable,
    startOnFirstUse,
    extension,
    trafficTopUp,
    devicePack,
    built: null,
  } as SubscriptionTerms;
  if (sharing !== undefined) {
    const parsedSharing = offerOf(sharing, sharingOf, false);
    if (parsedSharing === undefined) return undefined;
    terms.sharing = parsedSharing;
  } else if ('sharing' in value) terms.sharing = undefined;
  terms.kinds = kinds;
  return terms;
}

function nullableOf<T>(value: unknown, accepts: (value: unknown) => value is T): T | null | false {
  return value === undefined || value === null ? null : accepts(value) ? value : false;
}

function isBytes(value: unknown): value is number {
  return isInteger(value, 0, Number.MAX_SAFE_INTEGER);
}

/** A placement's subscription as `NewSubscriptionSchema` parses it, or `undefined`. */
export function handSubscription(value: unknown): ParsedSubscription | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { id, customerId, orderId, planId, panelId, targetId, status, statusChangedAt, trafficLimitBytes, expiresAt } = value;
  const { durationDays, startOnFirstUse, autoRenew, trial, kind } = value;
  if (!isId(id) || !isId(customerId) || (orderId !== null && !isId(orderId))) return undefined;
  if (!isId(planId) || !isId(panelId) || !isId(targetId)) return undefined;
  if (status !== undefined && !isOneOf(SUBSCRIPTION_STATUSES, status)) return undefined;
  if (statusChangedAt !== undefined && !isDate(statusChangedAt)) return undefined;
  const remote = remoteOf(value['remote']);
  const remoteClientId = nullableText(value['remoteClientId'], 0, RULES.remoteClientIdMaxLength);
  if (remote === undefined || remoteClientId === false) return undefined;
  if ((trafficLimitBytes !== null && !isBytes(trafficLimitBytes)) || (expiresAt !== null && !isDate(expiresAt))) return undefined;
  const usedBytes = nullableOf(value['usedBytes'], isBytes);
  const usageObservedAt = nullableOf(value['usageObservedAt'], isDate);
  const activatedAt = nullableOf(value['activatedAt'], isDate);
  if (usedBytes === false || usageObservedAt === false || activatedAt === false) return undefined;
  if (!isInteger(durationDays, 1, RULES.durationDaysMax) || typeof startOnFirstUse !== 'boolean') return undefined;
  const deviceLimit = nullableOf(value['deviceLimit'], (v): v is number => isInteger(v, 1, RULES.deviceLimitMax));
  const subscriptionUrl = nullableText(value['subscriptionUrl'], 0, RULES.subscriptionUrlMaxLength);
  const failureReason = nullableText(value['failureReason'], 0, RULES.failureReasonMaxLength);
  const bundleId = nullableOf(value['bundleId'], isId);
  if (deviceLimit === false || subscriptionUrl === false || failureReason === false || bundleId === false) return undefined;
  const shareLinks = value['shareLinks'] === undefined ? [] : textsOf(value['shareLinks'], RULES.shareLinksMax, RULES.shareLinkMaxLength);
  const notices = value['notices'] === undefined ? [] : textsOf(value['notices'], RULES.noticesMax, RULES.noticeMaxLength);
  if (shareLinks === undefined || notices === undefined) return undefined;
  if ((autoRenew !== undefined && typeof autoRenew !== 'boolean') || (trial !== undefined && typeof trial !== 'boolean')) return undefined;
  const terms = value['terms'] === undefined || value['terms'] === null ? null : termsOf(value['terms']);
  // A label is trimmed and refined by its schema: left to zod.
  if (terms === undefined || (value['label'] !== undefined && value['label'] !== null)) return undefined;
  if (kind !== undefined && !isOneOf(ENTITLEMENT_KINDS, kind)) return undefined;
  const parsed = {
    id,
    customerId,
    orderId,
    planId,
    panelId,
    targetId,
    status: status ?? RULES.defaultStatus,
  } as ParsedSubscription;
  if ('statusChangedAt' in value) parsed.statusChangedAt = statusChangedAt as Date | undefined;
  return Object.assign(parsed, {
    remote,
    remoteClientId,
    trafficLimitBytes,
    usedBytes,
    usageObservedAt,
    expiresAt,
    durationDays,
    startOnFirstUse,
    activatedAt,
    deviceLimit,
    subscriptionUrl,
    shareLinks,
    autoRenew: autoRenew ?? false,
    trial: trial ?? false,
    notices,
    failureReason,
    terms,
    label: null,
    bundleId,
    kind: kind ?? RULES.defaultKind,
  });
}
