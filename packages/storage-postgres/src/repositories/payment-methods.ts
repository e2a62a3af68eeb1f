import { createId, NotFoundError, ValidationError } from '@panelkit/sdk';
import { NewSavedPaymentMethodSchema } from '@panelkit/sdk/schemas';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { NewSavedPaymentMethod, SavedPaymentMethod } from '@panelkit/sdk/storage';
import type { SavedPaymentMethodRepository } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

function methodFromRow(r: Row): SavedPaymentMethod {
  return {
    id: dec.text(r['id']),
    customerId: dec.text(r['customer_id']),
    providerId: dec.text(r['provider_id']),
    sealedRef: dec.text(r['sealed_ref']),
    fingerprint: dec.text(r['fingerprint']),
    label: dec.text(r['label']),
    allowRenewal: dec.bool(r['allow_renewal']),
    paymentId: dec.textOrNull(r['payment_id']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

/** Saved payment methods; `save` is one upsert on `(customer_id, provider_id, fingerprint)`. */
export function paymentMethodRepository({ runner, schema }: RepositoryContext): SavedPaymentMethodRepository {
  const table = `${schema}.saved_payment_methods`;
  const read = { read: true } as const;
  return {
    save: (input: NewSavedPaymentMethod) =>
      runner.run('paymentMethods.save', async ({ db, now }) => {
        const p = parseInput(NewSavedPaymentMethodSchema, input, 'saved payment method');
        const customer = await db.query(`SELECT id FROM ${schema}.customers WHERE id = $1`, [p.customerId]);
        if (customer.rows.length === 0) throw new NotFoundError('customer', p.customerId);
        const { rows } = await db.query(
          `INSERT INTO ${table} (id, customer_id, provider_id, sealed_ref, fingerprint, label, allow_renewal, payment_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $9::timestamptz)
           ON CONFLICT (customer_id, provider_id, fingerprint) DO UPDATE
             SET sealed_ref = EXCLUDED.sealed_ref, label = EXCLUDED.label, payment_id = EXCLUDED.payment_id, updated_at = EXCLUDED.updated_at
           RETURNING *`,
          [createId('pm'), p.customerId, p.providerId, p.sealedRef, p.fingerprint, p.label, p.allowRenewal, p.paymentId, enc.time(now)],
        );
        return methodFromRow(rows[0]!);
      }),

    get: (id: string) =>
      runner.run(
        'paymentMethods.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE id = $1`, [inputKey(id, 'saved payment method id')]);
          return rows[0] === undefined ? null : methodFromRow(rows[0]);
        },
        read,
      ),

    listByCustomer: (customerId: string) =>
      runner.run(
        'paymentMethods.listByCustomer',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE customer_id = $1 ORDER BY created_at, id`, [
            inputKey(customerId, 'customer id'),
          ]);
          return rows.map(methodFromRow);
        },
        read,
      ),

    setAllowRenewal: (id: string, allowRenewal: boolean) =>
      runner.run('paymentMethods.setAllowRenewal', async ({ db, now }) => {
        if (typeof allowRenewal !== 'boolean')
          throw new ValidationError('invalid allowRenewal', [{ path: 'allowRenewal', message: 'must be a boolean' }]);
        const { rows } = await db.query(`UPDATE ${table} SET allow_renewal = $2, updated_at = $3::timestamptz WHERE id = $1 RETURNING *`, [
          inputKey(id, 'saved payment method id'),
          allowRenewal,
          enc.time(now),
        ]);
        return rows[0] === undefined ? null : methodFromRow(rows[0]);
      }),

    remove: (id: string) =>
      runner.run('paymentMethods.remove', async ({ db }) => {
        const { rows } = await db.query(`DELETE FROM ${table} WHERE id = $1 RETURNING id`, [inputKey(id, 'saved payment method id')]);
        return rows.length > 0;
      }),
  };
}
