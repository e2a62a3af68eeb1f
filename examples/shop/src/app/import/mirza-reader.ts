import type { ImportBatch, ImportCustomer, ImportPlan, ImportService } from '@panelkit/sdk';
import { telegramExternalRef } from '../auth/telegram-buyers.js';
import { amountOf, gigabytes, numeric, type ReaderOptions, type RowReader, SkippedRows, text } from './old-rows.js';

/**
 * Invoice states of a Mirza bot whose client still lives on its panel (active, warned, on hold, or out
 * of time or traffic but not removed yet), compared in lower case (`Active` occurs too). Any other
 * state (unpaid, waiting, paid but not built, disabled, removed…) is not a service.
 */
const LIVE_INVOICE_STATES = new Set(['active', 'sendedwarn', 'send_on_hold', 'end_of_time', 'end_of_volume']);

/**
 * Reads a Mirza bot's database (`mahdiMGF2/botmirzapanel`, `mahdiMGF2/mirzabot`): `user` (Telegram id
 * as primary key, wallet `Balance` in toman), `product` (plans: price, `Volume_constraint` GB,
 * `Service_time` days), `marzban_panel` (its panels by name and URL) and `invoice` (services: the
 * panel username, its panel's name in `Service_location`, the product's name, and in `mirzabot` the
 * client's `uuid`). The invoice is read whole (`SELECT *`): the two bots' invoice tables differ.
 */
export async function readMirza(query: RowReader, options: ReaderOptions): Promise<ImportBatch> {
  const skipped = new SkippedRows();
  const customers: ImportCustomer[] = [];
  for (const row of await query('SELECT id, username, Balance FROM user')) {
    const id = text(row['id']);
    const balance = amountOf(row['Balance'], options);
    if (!/^[0-9]{1,20}$/.test(id)) skipped.add('customer', id, 'not_a_telegram_id', id);
    else if (balance === null || balance < 0) skipped.add('balance', id, 'bad_balance', text(row['Balance']));
    else {
      const name = text(row['username']);
      customers.push({
        ref: id,
        externalRef: telegramExternalRef(id),
        telegramId: id,
        name: name === '' || name === 'none' ? null : name.slice(0, 200),
        locale: 'fa',
        balance,
      });
    }
  }
  const plans: ImportPlan[] = [];
  const planByName = new Map<string, string>();
  for (const row of await query('SELECT id, name_product, price_product, Volume_constraint, Service_time FROM product')) {
    const ref = text(row['id']);
    const name = text(row['name_product']);
    const price = amountOf(row['price_product'], options);
    const days = numeric(row['Service_time']);
    if (name === '' || price === null || price < 0 || days === null || days < 1 || days > 3650) {
      skipped.add('plan', ref, 'bad_plan', `${name} / ${text(row['price_product'])} / ${text(row['Service_time'])} days`);
      continue;
    }
    plans.push({ ref, name: name.slice(0, 200), price, durationDays: Math.round(days), trafficBytes: gigabytes(row['Volume_constraint']) });
    if (!planByName.has(name)) planByName.set(name, ref);
  }
  const panels = new Map<string, string | null>();
  for (const row of await query('SELECT name_panel, url_panel FROM marzban_panel')) {
    const key = text(row['name_panel']);
    panels.set(key, options.panelFor({ key, url: text(row['url_panel']) }));
  }
  const services: ImportService[] = [];
  for (const row of await query('SELECT * FROM invoice')) {
    const ref = text(row['id_invoice']);
    const status = text(row['Status']);
    if (!LIVE_INVOICE_STATES.has(status.toLowerCase())) {
      skipped.add('service', ref, 'not_live', status || 'no status');
      continue;
    }
    const location = text(row['Service_location']);
    const panelId = panels.get(location) ?? null;
    const username = text(row['username']);
    if (panelId === null) skipped.add('service', ref, 'unknown_panel', location);
    else if (username === '') skipped.add('service', ref, 'no_username');
    else {
      const days = numeric(row['Service_time']);
      services.push({
        ref,
        customerRef: text(row['id_user']),
        planRef: planByName.get(text(row['name_product'])) ?? null,
        panelId,
        username,
        uuid: text(row['uuid']).slice(0, 255) || null,
        durationDays: days !== null && days >= 1 && days <= 3650 ? Math.round(days) : null,
      });
    }
  }
  return { source: options.source, currency: options.currency, customers, plans, services, skipped: skipped.rows };
}
