import { z } from 'zod';
import { ActorSchema, type Actor } from '../../domain/common.js';
import type { GuardCaseView, GuardEvaluationReport, PanelkitGuard } from '../../domain/guard.js';
import { parseInput } from '../../domain/validate.js';
import type { GuardCase } from '../../ports/storage-guard.js';
import { GuardPolicySchema } from '../../rules/guard/policy.js';
import type { EngineContext } from '../context.js';
import { evaluateGuard, moveCase } from './evaluate.js';

const HOUR_MS = 3_600_000;
const LiftSchema = z.strictObject({ subscriptionId: z.string().min(1), actor: ActorSchema, note: z.string().max(500).default('') });
const CasesSchema = z.strictObject({
  step: z.enum(['watching', 'warn', 'limit', 'suspend']).optional(),
  cursor: z.string().max(512).nullish(),
  limit: z.number().int().min(1).max(1000).default(50),
});

const view = (c: GuardCase): GuardCaseView => ({ ...c });
const isStaff = (actor: Actor): boolean => actor.type === 'admin';

/** Builds `kit.guard` (see {@link PanelkitGuard}). */
export function createGuard(ctx: EngineContext): PanelkitGuard {
  return {
    policy: () => ctx.storage.guard.getPolicy(),
    async setPolicy(input, actorInput, expectedVersion) {
      const policy = parseInput(GuardPolicySchema, input, 'guard policy');
      const actor = parseInput(ActorSchema, actorInput, 'actor');
      if (!isStaff(actor)) return { saved: false, reason: 'not_staff' };
      const saved = await ctx.storage.transaction(async (tx) => {
        const version = expectedVersion ?? (await tx.guard.getPolicy()).version;
        const stored = await tx.guard.setPolicy(policy, version);
        if (stored !== null) {
          await tx.audit.append({
            actor,
            action: 'guard.policy_set',
            subjectType: 'guard_policy',
            subjectId: 'policy',
            data: { version: stored.version },
          });
        }
        return stored;
      });
      return saved === null ? { saved: false, reason: 'raced' } : { saved: true, policy: saved };
    },
    async cases(query = {}) {
      const q = parseInput(CasesSchema, query, 'guard cases query');
      const rows = await ctx.storage.guard.listCases({
        ...(q.step === undefined ? {} : { step: q.step }),
        ...(q.cursor == null ? {} : { after: q.cursor }),
        limit: q.limit + 1,
      });
      const items = rows.slice(0, q.limit).map(view);
      return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.subscriptionId : null };
    },
    async lift(request) {
      const r = parseInput(LiftSchema, request, 'guard lift');
      if (!isStaff(r.actor)) return { lifted: false, reason: 'not_staff' };
      const policy = await ctx.storage.guard.getPolicy();
      const [seen] = await ctx.storage.guard.cases([r.subscriptionId]);
      if (seen === undefined) return { lifted: false, reason: 'no_case' };
      if (seen.step === 'watching') return { lifted: false, reason: 'already_watching' };
      const quietUntil = new Date(ctx.clock.now().getTime() + policy.policy.windowHours * HOUR_MS);
      const moved = await ctx.storage.transaction((tx) =>
        moveCase(
          tx,
          policy,
          {
            subscriptionId: r.subscriptionId,
            seen,
            step: 'watching',
            evidence: { note: r.note, actor: r.actor.id },
            liftedBy: r.actor.id ?? 'admin',
            quietUntil,
            clearReadings: true,
          },
          r.actor,
        ),
      );
      return moved === null ? { lifted: false, reason: 'raced' } : { lifted: true, case: view(moved) };
    },
    async evaluateNow(): Promise<GuardEvaluationReport> {
      const report = { evaluated: 0, stepped: 0, lifted: 0 };
      for (const panel of await ctx.storage.panels.list()) {
        let cursor: string | null = null;
        do {
          const page = await ctx.storage.subscriptions.listByPanel(panel.id, {}, { limit: 500, cursor });
          const counts = await evaluateGuard(
            ctx,
            page.items.map((s) => s.id),
          );
          report.evaluated += counts.evaluated;
          report.stepped += counts.stepped;
          report.lifted += counts.lifted;
          cursor = page.nextCursor;
        } while (cursor !== null);
      }
      return report;
    },
  };
}
