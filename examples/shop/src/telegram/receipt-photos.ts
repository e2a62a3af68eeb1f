import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** The `telegram_receipt_photos` table: the photo (Telegram `file_id`) a buyer sent with a card receipt. */
export class ReceiptPhotoStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Keeps the first photo of a payment (a replayed receipt keeps the one it had). */
  async save(paymentId: string, fileId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.schema}.telegram_receipt_photos (payment_id, file_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [paymentId, fileId, this.clock.now()],
    );
  }

  async get(paymentId: string): Promise<string | null> {
    const { rows } = await this.db.query<{ file_id: string }>(
      `SELECT file_id FROM ${this.schema}.telegram_receipt_photos WHERE payment_id = $1`,
      [paymentId],
    );
    return rows[0]?.file_id ?? null;
  }
}
