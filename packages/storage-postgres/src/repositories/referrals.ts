import { ValidationError } from '@panelkit/sdk';
import { NewReferralSchema, NonNegativeMoneySchema, ReferralProgramSchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput, timeKey } from '@panelkit/sdk/storage';
import type { Money, NewReferral, PageRequest, Referral, ReferralProgram, ReferralProgramInput, ReferralStatus } from '@panelkit/sdk';
import type { ReferralRepository } from '@panelkit/sdk/storage';
import { pageNewestFirst } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

function referralFromRow(r: Row): Referral {
  return {
    referredId: dec.text(r['referred_id']),
    referrerId: dec.text(r['referrer_id']),
    status: dec.text(r['status']) as ReferralStatus,
    orderId: dec.textOrNull(r['order_id']),
    reward: r['reward'] === null || r['reward'] === undefined ? null : dec.json(r['reward']),
    ledgerEntryId: dec.textOrNull(r['ledger_entry_id']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

/** Referrals: each step of a reward is one conditional `UPDATE … WHERE status = <from>`. */
export function referralRepository({ runner, schema }: RepositoryContext): ReferralRepository {
  const table = `${schema}.referrals`;
  const programs = `${schema}.referral_program`;
  const read = { read: true } as const;

  return {
    create: (input: NewReferral) =>
      runner.run('referrals.create', async ({ db, now }) => {
        const parsed = parseInput(NewReferralSchema, input, 'referral');
        const { rows } = await db.query(
          `INSERT INTO ${table} (referred_id, referrer_id, status, order_id, reward, ledger_entry_id, created_at, updated_at)
           VALUES ($1, $2, 'pending', NULL, NULL, NULL, $3::timestamptz, $3::timestamptz) RETURNING *`,
          [parsed.referredId, parsed.referrerId, enc.time(now)],
        );
        return referralFromRow(rows[0]!);
      }),

    get: (referredId: string) =>
      runner.run(
        'referrals.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE referred_id = $1`, [inputKey(referredId, 'referred customer id')]);
          return rows[0] === undefined ? null : referralFromRow(rows[0]);
        },
        read,
      ),

    listByReferrer: (referrerId: string, page: PageRequest) =>
      runner.run(
        'referrals.listByReferrer',
        ({ db }) =>
          pageNewestFirst(db, table, referralFromRow, page, {
            where: 'referrer_id = $1',
            params: [inputKey(referrerId, 'referrer id')],
            id: 'referred_id',
            key: (r) => timeKey(r.createdAt, r.referredId),
          }),
        read,
      ),

    stats: (referrerId: string) =>
      runner.run(
        'referrals.stats',
        async ({ db }) => {
          const id = inputKey(referrerId, 'referrer id');
          const counts = (
            await db.query(
              `SELECT count(*) AS referred, count(*) FILTER (WHERE status = 'rewarded') AS rewarded FROM ${table} WHERE referrer_id = $1`,
              [id],
            )
          ).rows[0]!;
          const { rows } = await db.query(
            `SELECT reward->>'currency' AS currency, sum((reward->>'amount')::bigint) AS amount FROM ${table}
           WHERE referrer_id = $1 AND status = 'rewarded' GROUP BY 1`,
            [id],
          );
          return {
            referred: dec.int(counts['referred']),
            rewarded: dec.int(counts['rewarded']),
            earned: rows
              .map((r) => ({ amount: dec.int(r['amount']), currency: dec.text(r['currency']) }))
              .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0)),
          };
        },
        read,
      ),

    qualify: (referredId: string, outcome: { orderId: string; reward: Money }) =>
      runner.run('referrals.qualify', async ({ db, now }) => {
        const status = outcome.reward.amount > 0 ? 'qualified' : 'void';
        const { rows } = await db.query(
          `UPDATE ${table} SET status = $2, order_id = $3, reward = $4::jsonb, updated_at = $5::timestamptz WHERE referred_id = $1 AND status = 'pending' RETURNING *`,
          [
            inputKey(referredId, 'referred customer id'),
            status,
            inputKey(outcome.orderId, 'order id'),
            enc.json(outcome.reward),
            enc.time(now),
          ],
        );
        return rows[0] === undefined ? null : referralFromRow(rows[0]);
      }),

    listQualified: (limit: number) =>
      runner.run(
        'referrals.listQualified',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE status = 'qualified' ORDER BY updated_at, referred_id LIMIT $1`, [
            Math.max(0, Math.trunc(limit)),
          ]);
          return rows.map(referralFromRow);
        },
        read,
      ),

    markRewarded: (referredId: string, ledgerEntryId: string) =>
      runner.run('referrals.markRewarded', async ({ db, now }) => {
        const { rows } = await db.query(
          `UPDATE ${table} SET status = 'rewarded', ledger_entry_id = $2, updated_at = $3::timestamptz WHERE referred_id = $1 AND status = 'qualified' RETURNING *`,
          [inputKey(referredId, 'referred customer id'), inputKey(ledgerEntryId, 'ledger entry id'), enc.time(now)],
        );
        return rows[0] === undefined ? null : referralFromRow(rows[0]);
      }),

    reduceReward: (referredId: string, reward: Money) =>
      runner.run('referrals.reduceReward', async ({ db, now }) => {
        const lower = parseInput(NonNegativeMoneySchema, reward, 'reward');
        // One conditional statement: the reward only goes down, from a status that has one, and a
        // zero turns qualified into void and rewarded into reversed.
        const { rows } = await db.query(
          `UPDATE ${table}
              SET reward = $2::jsonb,
                  status = CASE WHEN $3::bigint > 0 THEN status WHEN status = 'qualified' THEN 'void' ELSE 'reversed' END,
                  updated_at = $5::timestamptz
            WHERE referred_id = $1 AND status IN ('qualified', 'rewarded') AND reward->>'currency' = $4
              AND (reward->>'amount')::bigint > $3::bigint
           RETURNING *`,
          [inputKey(referredId, 'referred customer id'), enc.json(lower), lower.amount, lower.currency, enc.time(now)],
        );
        if (rows[0] !== undefined) return referralFromRow(rows[0]);
        const current = await db.query(
          `SELECT reward->>'currency' AS currency FROM ${table} WHERE referred_id = $1 AND reward IS NOT NULL`,
          [referredId],
        );
        const currency = current.rows[0]?.['currency'];
        if (typeof currency === 'string' && currency !== lower.currency)
          throw new ValidationError("invalid reward: currency: not the reward's currency", [
            { path: 'currency', message: "not the reward's currency" },
          ]);
        return null;
      }),

    getProgram: () =>
      runner.run(
        'referrals.getProgram',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT program FROM ${programs} WHERE id = 1`, []);
          // Parsed: a program stored before a field existed reads with that field's default.
          return rows[0] === undefined ? null : ReferralProgramSchema.parse(dec.json<ReferralProgram>(rows[0]['program']));
        },
        read,
      ),

    setProgram: (input: ReferralProgramInput) =>
      runner.run('referrals.setProgram', async ({ db, now }) => {
        const program = parseInput(ReferralProgramSchema, input, 'referral program');
        await db.query(
          `INSERT INTO ${programs} (id, program, updated_at) VALUES (1, $1::jsonb, $2::timestamptz)
           ON CONFLICT (id) DO UPDATE SET program = EXCLUDED.program, updated_at = EXCLUDED.updated_at`,
          [enc.json(program), enc.time(now)],
        );
        return program;
      }),
  };
}
