/**
 * PasarGuard's user rules as the simulator applies them: `crud/user.py` (`modify_user`,
 * `_resolve_enabled_user_status`, `reset_user_data_usage`, `start_users_expire`) and the review jobs
 * (`jobs/review_users.py`).
 */
import type { ParsedUser } from './validate.js';
import type { SimStatus, SimUser } from './state.js';

/** The status a disabled user gets back when enabled: expired, limited, on hold (a duration is left), or active. */
function enabledStatus(user: SimUser, nowMs: number): SimStatus {
  if (user.expire !== null && user.expire <= nowMs) return 'expired';
  if (user.dataLimit !== null && user.dataLimit > 0 && user.usedTraffic >= user.dataLimit) return 'limited';
  if (user.onHoldExpireDuration !== null) return 'on_hold';
  return 'active';
}

/** `crud.modify_user`: fields in the panel's order; a PUT without `next_plan` deletes the next plan. */
export function modifyUser(user: SimUser, value: ParsedUser, nowMs: number): void {
  if (value.groupIds) user.groupIds = [...value.groupIds];
  if (value.status) {
    user.status = value.status === 'active' && user.status === 'disabled' ? enabledStatus(user, nowMs) : (value.status as SimStatus);
  }
  if (value.status === 'on_hold') {
    user.expire = null;
  } else if (value.expire === 0) {
    user.expire = null;
    if (user.status === 'expired') user.status = 'active';
  } else if (value.expire !== undefined && value.expire !== null) {
    user.expire = value.expire;
    if (user.status === 'active' || user.status === 'expired') user.status = user.expire > nowMs ? 'active' : 'expired';
  }
  if (value.dataLimit !== undefined && value.dataLimit !== null) {
    user.dataLimit = value.dataLimit || null;
    if (user.status !== 'expired' && user.status !== 'disabled') {
      if (!user.dataLimit || user.usedTraffic < user.dataLimit) {
        if (user.status !== 'on_hold') user.status = 'active';
      } else user.status = 'limited';
    }
  }
  if (value.note !== undefined && value.note !== null) user.note = value.note || null;
  if (value.resetStrategy) user.resetStrategy = value.resetStrategy;
  if (value.onHoldTimeout !== undefined && value.onHoldTimeout !== null) user.onHoldTimeout = value.onHoldTimeout;
  if (value.onHoldExpireDuration !== undefined && value.onHoldExpireDuration !== null)
    user.onHoldExpireDuration = value.onHoldExpireDuration;
  if (value.hwidLimit !== undefined && value.hwidLimit !== null) user.hwidLimit = value.hwidLimit;
  else if (value.hwidLimitSent && value.hwidLimit === null) user.hwidLimit = null;
  user.nextPlan = value.nextPlan ?? null;
  user.editAt = nowMs;
}

/**
 * `reset_user_data_usage` (`_reset_user_traffic_and_log`): traffic to zero and the next plan
 * deleted; only a `limited` user changes status (to `active`).
 */
export function resetUsage(user: SimUser): void {
  user.usedTraffic = 0;
  user.nextPlan = null;
  if (user.status === 'limited') user.status = 'active';
}

/**
 * The review jobs: active users past their limit become `limited`, past their date `expired`; an
 * on-hold user starts its period when it is first online or its timeout passes (`start_users_expire`).
 */
export function review(users: Iterable<SimUser>, nowMs: number): void {
  for (const user of users) {
    if (user.status === 'active') {
      if (user.dataLimit && user.usedTraffic >= user.dataLimit) user.status = 'limited';
      else if (user.expire !== null && user.expire <= nowMs) user.status = 'expired';
    } else if (user.status === 'on_hold') {
      const used = user.onlineAt !== null;
      const timedOut = user.onHoldTimeout !== null && user.onHoldTimeout <= nowMs;
      if (used || timedOut) {
        user.status = 'active';
        user.expire = user.onHoldExpireDuration === null ? null : nowMs + user.onHoldExpireDuration * 1000;
        user.onHoldExpireDuration = null;
        user.onHoldTimeout = null;
      }
    }
  }
}
