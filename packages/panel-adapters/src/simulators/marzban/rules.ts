/**
 * Marzban's user rules, as the simulator applies them: `crud.create_user` / `crud.update_user`
 * semantics and the review job (`jobs/review_users.py`).
 */
import { SIM_PROTOCOLS, newCredential, type SimInbound, type SimProtocol, type SimUser } from './state.js';
import type { ParsedCommon } from './validate.js';

function tagsOf(inbounds: readonly SimInbound[], protocol: string): string[] {
  return inbounds.filter((inbound) => inbound.protocol === protocol).map((inbound) => inbound.tag);
}

/** `validate_inbounds`: an empty list means all of that protocol; 0.8 (`v2`) leaves an omitted map empty. */
export function selectInbounds(
  inbounds: readonly SimInbound[],
  proxies: SimUser['proxies'],
  requested: ParsedCommon['inbounds'],
  v2: boolean,
): SimUser['inbounds'] {
  const out: SimUser['inbounds'] = {};
  for (const protocol of Object.keys(proxies) as SimProtocol[]) {
    const tags = requested?.[protocol];
    if (tags === undefined) out[protocol] = v2 ? [] : tagsOf(inbounds, protocol);
    else out[protocol] = tags.length === 0 ? tagsOf(inbounds, protocol) : tags;
  }
  return out;
}

/** Plain field updates: `null`/absent = no change, `0` = unlimited/never, `""` clears the note. */
export function applyFields(user: SimUser, value: ParsedCommon): void {
  if (value.expire !== undefined && value.expire !== null) user.expire = value.expire || null;
  if (value.data_limit !== undefined && value.data_limit !== null) user.dataLimit = value.data_limit || null;
  if (value.data_limit_reset_strategy) user.resetStrategy = value.data_limit_reset_strategy;
  if (value.note !== undefined && value.note !== null) user.note = value.note || null;
  if (value.on_hold_expire_duration !== undefined && value.on_hold_expire_duration !== null)
    user.onHoldExpireDuration = value.on_hold_expire_duration || null;
  if (value.on_hold_timeout !== undefined && value.on_hold_timeout !== null) {
    const raw = value.on_hold_timeout;
    user.onHoldTimeout = typeof raw === 'number' ? raw * 1000 : Date.parse(/Z|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`);
  }
}

/**
 * `crud.update_user`: proxies replace the protocol set, inbounds recompute exclusions, an explicit
 * status first, then status recomputed from `data_limit` and `expire`; a PUT without `next_plan`
 * deletes the next plan.
 */
export function updateUser(user: SimUser, value: ParsedCommon, inbounds: readonly SimInbound[], nowMs: number): void {
  if (value.proxies && Object.keys(value.proxies).length > 0) {
    const next: SimUser['proxies'] = {};
    for (const [protocol, settings] of Object.entries(value.proxies))
      next[protocol as SimProtocol] = newCredential(protocol as SimProtocol, settings);
    user.proxies = next;
    for (const protocol of SIM_PROTOCOLS) if (!next[protocol]) delete user.inbounds[protocol];
    for (const protocol of Object.keys(next) as SimProtocol[]) user.inbounds[protocol] ??= tagsOf(inbounds, protocol);
  }
  if (value.inbounds && Object.keys(value.inbounds).length > 0) {
    for (const [protocol, tags] of Object.entries(value.inbounds)) {
      if (!user.proxies[protocol as SimProtocol]) continue;
      user.inbounds[protocol as SimProtocol] = tags.length === 0 ? tagsOf(inbounds, protocol) : tags;
    }
  }
  if (value.status) user.status = value.status as SimUser['status'];
  if (value.data_limit !== undefined && value.data_limit !== null) {
    user.dataLimit = value.data_limit || null;
    if (user.status !== 'expired' && user.status !== 'disabled') {
      if (!user.dataLimit || user.usedTraffic < user.dataLimit) {
        if (user.status !== 'on_hold') user.status = 'active';
      } else user.status = 'limited';
    }
  }
  if (value.expire !== undefined && value.expire !== null) {
    user.expire = value.expire || null;
    if (user.status === 'active' || user.status === 'expired') {
      user.status = !user.expire || user.expire * 1000 > nowMs ? 'active' : 'expired';
    }
  }
  const { data_limit: _limit, expire: _expire, ...rest } = value;
  applyFields(user, rest);
  user.nextPlan = value.next_plan
    ? {
        data_limit: value.next_plan.data_limit,
        expire: value.next_plan.expire,
        add_remaining_traffic: value.next_plan.add_remaining_traffic ?? false,
        fire_on_either: value.next_plan.fire_on_either ?? true,
      }
    : null;
}

/** The review job: active users become limited or expired; on-hold ones start at first use or timeout. */
export function review(users: Iterable<SimUser>, nowMs: number): void {
  for (const user of users) {
    if (user.status === 'active') {
      if (user.dataLimit && user.usedTraffic >= user.dataLimit) user.status = 'limited';
      else if (user.expire && user.expire * 1000 <= nowMs) user.status = 'expired';
    } else if (user.status === 'on_hold') {
      const base = user.editAt ?? user.createdAt;
      const used = user.onlineAt !== null && user.onlineAt >= base;
      const timedOut = user.onHoldTimeout !== null && user.onHoldTimeout <= nowMs;
      if (used || timedOut) {
        user.status = 'active';
        user.expire = Math.floor(nowMs / 1000) + (user.onHoldExpireDuration ?? 0);
        user.onHoldExpireDuration = null;
        user.onHoldTimeout = null;
      }
    }
  }
}
