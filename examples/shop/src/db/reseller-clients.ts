import { createId, type Clock } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { SqlClient } from '@panelkit/storage-postgres';

/** What the reseller clients' store works with: the shop's database and schema, its clock, the engine's storage (audit). */
export interface ResellerClientsDeps {
  readonly db: SqlClient;
  readonly shopSchema: string;
  readonly clock: Clock;
  readonly storage: StoragePort;
}

/** One of a reseller's own clients: a name (and a note) the reseller keeps its subscriptions under. */
export interface ResellerClient {
  id: string;
  name: string;
  note: string | null;
  createdAt: Date;
  /** The reseller's subscriptions assigned to this client. */
  subscriptionIds: string[];
}

/** Why a client could not be added or a subscription assigned. */
export type ClientRefusal = 'name_taken' | 'not_found';

/**
 * A reseller's clients, scoped to it: every read and write names the reseller, and a client or subscription
 * of another customer is `not_found` (never shown, never changed). Adding a client and assigning a
 * subscription are audited under the reseller (`reseller.client_added`, `reseller.subscription_assigned`).
 */
export class ResellerClients {
  constructor(private readonly shop: ResellerClientsDeps) {}

  private get t() {
    return { clients: `${this.shop.shopSchema}.reseller_clients`, subs: `${this.shop.shopSchema}.reseller_client_subscriptions` };
  }

  /** The reseller's clients with their subscriptions, by name. */
  async list(resellerId: string): Promise<ResellerClient[]> {
    const { rows } = await this.shop.db.query<{ id: string; name: string; note: string | null; created_at: Date; subs: string[] | null }>(
      `SELECT c.id, c.name, c.note, c.created_at, array_remove(array_agg(a.subscription_id ORDER BY a.assigned_at), NULL) AS subs
         FROM ${this.t.clients} c LEFT JOIN ${this.t.subs} a ON a.client_id = c.id
        WHERE c.reseller_id = $1 GROUP BY c.id ORDER BY c.name COLLATE "C", c.id`,
      [resellerId],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, note: r.note, createdAt: new Date(r.created_at), subscriptionIds: r.subs ?? [] }));
  }

  /** Adds a client; a name the reseller already uses is refused. */
  async add(
    resellerId: string,
    input: { name: string; note: string | null },
  ): Promise<{ ok: true; id: string } | { ok: false; reason: ClientRefusal }> {
    const id = createId('rcl');
    const now = this.shop.clock.now();
    const { rows } = await this.shop.db.query(
      `INSERT INTO ${this.t.clients} (id, reseller_id, name, note, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (reseller_id, name) DO NOTHING RETURNING id`,
      [id, resellerId, input.name, input.note, now],
    );
    if (rows.length === 0) return { ok: false, reason: 'name_taken' };
    await this.audit(resellerId, 'reseller.client_added', { clientId: id, name: input.name });
    return { ok: true, id };
  }

  /** Puts one of the reseller's subscriptions under one of its clients (moving it from another client of its own). */
  async assign(resellerId: string, clientId: string, subscriptionId: string): Promise<{ ok: true } | { ok: false; reason: ClientRefusal }> {
    const sub = await this.shop.storage.subscriptions.get(subscriptionId);
    if (sub === null || sub.customerId !== resellerId) return { ok: false, reason: 'not_found' };
    const { rows } = await this.shop.db.query(`SELECT id FROM ${this.t.clients} WHERE id = $1 AND reseller_id = $2`, [
      clientId,
      resellerId,
    ]);
    if (rows.length === 0) return { ok: false, reason: 'not_found' };
    await this.shop.db.query(
      `INSERT INTO ${this.t.subs} (subscription_id, client_id, assigned_at) VALUES ($1, $2, $3)
       ON CONFLICT (subscription_id) DO UPDATE SET client_id = EXCLUDED.client_id, assigned_at = EXCLUDED.assigned_at`,
      [subscriptionId, clientId, this.shop.clock.now()],
    );
    await this.audit(resellerId, 'reseller.subscription_assigned', { clientId, subscriptionId });
    return { ok: true };
  }

  private audit(resellerId: string, action: string, data: Record<string, string>) {
    return this.shop.storage.audit.append({
      actor: { type: 'customer', id: resellerId },
      action,
      subjectType: 'customer',
      subjectId: resellerId,
      data,
    });
  }
}
