import type { ImportBatch, ImportCustomer, ImportPlan, ImportService } from '@panelkit/sdk';
import { telegramExternalRef } from '../auth/telegram-buyers.js';
import { amountOf, gigabytes, numeric, type ReaderOptions, type RowReader, SkippedRows, text } from './old-rows.js';

/**
 * Reads a wizwiz bot's database (`wizwizdev/wizwizxui-timebot`): `users` (Telegram `userid`, `wallet`
 * in toman), `server_plans` (plans: `price`, `days`, `volume` GB, `limitip`), `server_config` (its
 * 3x-ui panels by server id and URL) and `orders_list` (services: the client's `remark`, which is its
 * email on the panel, its `uuid`, its server and plan, `status` 1 while it lives).
 */
export async function readWizwiz(query: RowReader, options: ReaderOptions): Promise<ImportBatch> {
  const skipped = new SkippedRows();
  const customers: ImportCustomer[] = [];
  for (const row of await query('SELECT userid, name, wallet FROM users')) {
    const id = text(row['userid']);
    const balance = amountOf(row['wallet'], options);
    if (!/^[0-9]{1,20}$/.test(id)) skipped.add('customer', id, 'not_a_telegram_id', id);
    else if (balance === null || balance < 0) skipped.add('balance', id, 'bad_balance', text(row['wallet']));
    else {
      const name = text(row['name']);
      customers.push({
        ref: id,
        externalRef: telegramExternalRef(id),
        telegramId: id,
        name: name === '' ? null : name.slice(0, 200),
        locale: 'fa',
        balance,
      });
    }
  }
  const plans: ImportPlan[] = [];
  for (const row of await query('SELECT id, title, price, days, volume, limitip FROM server_plans')) {
    const ref = text(row['id']);
    const name = text(row['title']);
    const price = amountOf(row['price'], options);
    const days = numeric(row['days']);
    if (name === '' || price === null || price < 0 || days === null || days < 1 || days > 3650) {
      skipped.add('plan', ref, 'bad_plan', `${name} / ${text(row['price'])} / ${text(row['days'])} days`);
      continue;
    }
    const devices = numeric(row['limitip']);
    const deviceLimit = devices !== null && devices >= 1 && devices <= 1000 ? Math.round(devices) : null;
    plans.push({
      ref,
      name: name.slice(0, 200),
      price,
      durationDays: Math.round(days),
      trafficBytes: gigabytes(row['volume']),
      deviceLimit,
    });
  }
  const planRefs = new Set(plans.map((p) => p.ref));
  const panels = new Map<string, string | null>();
  for (const row of await query('SELECT id, panel_url FROM server_config')) {
    const key = text(row['id']);
    panels.set(key, options.panelFor({ key, url: text(row['panel_url']) }));
  }
  const services: ImportService[] = [];
  for (const row of await query('SELECT id, userid, fileid, server_id, remark, uuid, status FROM orders_list')) {
    const ref = text(row['id']);
    if (numeric(row['status']) !== 1) {
      skipped.add('service', ref, 'not_live', `status ${text(row['status'])}`);
      continue;
    }
    const server = text(row['server_id']);
    const panelId = panels.get(server) ?? null;
    const username = text(row['remark']);
    const uuid = text(row['uuid']);
    const plan = text(row['fileid']);
    if (panelId === null) skipped.add('service', ref, 'unknown_panel', `server ${server}`);
    else if (username === '') skipped.add('service', ref, 'no_username');
    else {
      services.push({
        ref,
        customerRef: text(row['userid']),
        planRef: planRefs.has(plan) ? plan : null,
        panelId,
        username,
        uuid: uuid === '' ? null : uuid.slice(0, 255),
      });
    }
  }
  return { source: options.source, currency: options.currency, customers, plans, services, skipped: skipped.rows };
}
