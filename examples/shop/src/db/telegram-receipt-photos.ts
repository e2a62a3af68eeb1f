import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** A receipt's picture as Telegram keeps it: a photo, or an image sent as a file (a document, which `sendPhoto` refuses). */
export interface ReceiptImage {
  fileId: string;
  kind: 'photo' | 'document';
}

/** A document's `file_id` is kept with this prefix (Telegram's file ids never hold a colon). */
const DOCUMENT = 'document:';

/** A picture as one text column: the photo's `file_id`, or a document's behind its prefix (receipts, ticket messages). */
export function storedImage(image: ReceiptImage): string {
  return image.kind === 'document' ? `${DOCUMENT}${image.fileId}` : image.fileId;
}

/** The picture a column written by {@link storedImage} holds. */
export function imageOfStored(stored: string): ReceiptImage {
  return stored.startsWith(DOCUMENT) ? { fileId: stored.slice(DOCUMENT.length), kind: 'document' } : { fileId: stored, kind: 'photo' };
}

/** The `telegram_receipt_photos` table: the picture (Telegram `file_id`) a buyer sent with a card receipt. */
export class ReceiptPhotoStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Keeps the first picture of a payment (a replayed receipt keeps the one it had). */
  async save(paymentId: string, image: ReceiptImage): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.schema}.telegram_receipt_photos (payment_id, file_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [paymentId, storedImage(image), this.clock.now()],
    );
  }

  /** Which of these payments came with a picture. */
  async withImages(paymentIds: readonly string[]): Promise<Set<string>> {
    if (paymentIds.length === 0) return new Set();
    const { rows } = await this.db.query<{ payment_id: string }>(
      `SELECT payment_id FROM ${this.schema}.telegram_receipt_photos WHERE payment_id = ANY($1::text[])`,
      [[...paymentIds]],
    );
    return new Set(rows.map((r) => r.payment_id));
  }

  /** The picture a payment's receipt came with, or `null`. */
  async get(paymentId: string): Promise<ReceiptImage | null> {
    const { rows } = await this.db.query<{ file_id: string }>(
      `SELECT file_id FROM ${this.schema}.telegram_receipt_photos WHERE payment_id = $1`,
      [paymentId],
    );
    const stored = rows[0]?.file_id;
    if (stored === undefined) return null;
    return imageOfStored(stored);
  }
}
