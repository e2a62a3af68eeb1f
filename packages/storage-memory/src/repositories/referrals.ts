import { ValidationError } from '@panelkit/sdk';
import { NewReferralSchema, NonNegativeMoneySchema, ReferralProgramSchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import type {
  Customer,
  Money,
  NewReferral,
  Page,
  PageRequest,
  Referral,
  ReferralProgram,
  ReferralProgramInput,
  ReferralStats,
} from '@panelkit/sdk';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { newestFirst } from './page-scan.js';

type ReferralRow = Referral & { id: string };

/** Referrals keyed by the referred customer, and the one program cell. */
export interface ReferralTables {
  readonly referrals: Table<ReferralRow>;
  program: ReferralProgram | null;
}

/** Empty referral tables (and no program) for a new memory storage. */
export function createReferralTables(): ReferralTables {
  return { referrals: new Table<ReferralRow>('referral', []), program: null };
}

function strip({ id: _id, ...referral }: ReferralRow): Referral {
  return copy(referral);
}

/** Referrals; each step of a reward is a check and a write under the storage's lock. */
export function referralOperations(tables: ReferralTables, customers: Table<Customer>) {
  const { referrals } = tables;
  const move = (op: Op, referredId: string, from: Referral['status'], patch: Partial<Referral>): Referral | null => {
    const row = referrals.get(inputKey(referredId, 'referred customer id'));
    if (row === undefined || row.status !== from) return null;
    const after = { ...row, ...patch, updatedAt: op.now };
    referrals.replace(op.undo, after);
    return strip(after);
  };

  return {
    create(op: Op, input: NewReferral): Referral {
      const parsed = parseInput(NewReferralSchema, input, 'referral');
      customers.require(parsed.referredId);
      customers.require(parsed.referrerId);
      const row: ReferralRow = {
        id: parsed.referredId,
        ...parsed,
        status: 'pending',
        orderId: null,
        reward: null,
        ledgerEntryId: null,
        createdAt: op.now,
        updatedAt: op.now,
      };
      referrals.insert(op.undo, row);
      return strip(row);
    },

    get(_op: Op, referredId: string): Referral | null {
      const row = referrals.get(inputKey(referredId, 'referred customer id'));
      return row === undefined ? null : strip(row);
    },

    listByReferrer(_op: Op, referrerId: string, page: PageRequest): Page<Referral> {
      const id = inputKey(referrerId, 'referrer id');
      const rows = [...referrals.values()].filter((r) => r.referrerId === id).map(strip);
      return newestFirst(rows, parsePageWindow(page, timeCursorCodec), (r) => timeKey(r.createdAt, r.referredId));
    },

    stats(_op: Op, referrerId: string): ReferralStats {
      const id = inputKey(referrerId, 'referrer id');
      const earned = new Map<string, number>();
      let referred = 0;
      let rewarded = 0;
      for (const r of referrals.values()) {
        if (r.referrerId !== id) continue;
        referred++;
        if (r.status !== 'rewarded' || r.reward === null) continue;
        rewarded++;
        earned.set(r.reward.currency, (earned.get(r.reward.currency) ?? 0) + r.reward.amount);
      }
      const currencies = [...earned.keys()].sort();
      return { referred, rewarded, earned: currencies.map((currency) => ({ amount: earned.get(currency)!, currency })) };
    },

    qualify(op: Op, referredId: string, outcome: { orderId: string; reward: Money }): Referral | null {
      const reward = copy(outcome.reward);
      return move(op, referredId, 'pending', {
        status: reward.amount > 0 ? 'qualified' : 'void',
        orderId: inputKey(outcome.orderId, 'order id'),
        reward,
      });
    },

    listQualified(_op: Op, limit: number): Referral[] {
      return [...referrals.values()]
        .filter((r) => r.status === 'qualified')
        .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || (a.id < b.id ? -1 : 1))
        .slice(0, Math.max(0, Math.trunc(limit)))
        .map(strip);
    },

    markRewarded(op: Op, referredId: string, ledgerEntryId: string): Referral | null {
      return move(op, referredId, 'qualified', { status: 'rewarded', ledgerEntryId: inputKey(ledgerEntryId, 'ledger entry id') });
    },

    reduceReward(op: Op, referredId: string, reward: Money): Referral | null {
      const lower = copy(parseInput(NonNegativeMoneySchema, reward, 'reward'));
      const row = referrals.get(inputKey(referredId, 'referred customer id'));
      if (row === undefined || row.reward === null) return null;
      if (lower.currency !== row.reward.currency)
        throw new ValidationError("invalid reward: currency: not the reward's currency", [
          { path: 'currency', message: "not the reward's currency" },
        ]);
      if (row.status !== 'qualified' && row.status !== 'rewarded') return null;
      if (lower.amount >= row.reward.amount) return null;
      const status = lower.amount > 0 ? row.status : row.status === 'qualified' ? 'void' : 'reversed';
      return move(op, referredId, row.status, { status, reward: lower });
    },

    getProgram(): ReferralProgram | null {
      return tables.program === null ? null : copy(tables.program);
    },

    setProgram(op: Op, input: ReferralProgramInput): ReferralProgram {
      const program = parseInput(ReferralProgramSchema, input, 'referral program');
      const before = tables.program;
      tables.program = copy(program);
      op.undo.push(() => {
        tables.program = before;
      });
      return copy(program);
    },
  };
}
