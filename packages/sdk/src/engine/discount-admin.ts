import type { Actor } from '../domain/common.js';
import type { DiscountCode, DiscountCodePatch, NewDiscountCode } from '../domain/discount.js';
import type { ReferralProgram, ReferralProgramInput } from '../domain/referral.js';
import type { EngineContext } from './context.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

/** Creates a discount code, audited. A code text in use is a `ConflictError`; bad input a `ValidationError`. */
export function createDiscountCode(ctx: EngineContext, input: NewDiscountCode, actor: Actor = ADMIN): Promise<DiscountCode> {
  return ctx.storage.transaction(async (tx) => {
    const code = await tx.discounts.create(input);
    await tx.audit.append({
      actor,
      action: 'discount.created',
      subjectType: 'discount_code',
      subjectId: code.id,
      data: { code: code.code },
    });
    return code;
  });
}

/** Changes what may change on a code (disable it, its end, its limits, its note), audited. */
export function updateDiscountCode(ctx: EngineContext, id: string, patch: DiscountCodePatch, actor: Actor = ADMIN): Promise<DiscountCode> {
  return ctx.storage.transaction(async (tx) => {
    const code = await tx.discounts.update(id, patch);
    const changed = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : (v ?? null)]));
    await tx.audit.append({ actor, action: 'discount.updated', subjectType: 'discount_code', subjectId: code.id, data: changed });
    return code;
  });
}

/** Replaces the referral program (the owner's settings), audited. Rewards already fixed keep their amount. */
export function setReferralProgram(ctx: EngineContext, input: ReferralProgramInput, actor: Actor = ADMIN): Promise<ReferralProgram> {
  return ctx.storage.transaction(async (tx) => {
    const program = await tx.referrals.setProgram(input);
    await tx.audit.append({
      actor,
      action: 'referral.program_set',
      subjectType: 'referral_program',
      subjectId: 'referral_program',
      data: { enabled: program.enabled, reward: program.reward.type },
    });
    return program;
  });
}
