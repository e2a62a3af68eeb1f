import type { TelegramConfig } from '../../config/config.js';
import { telegramApi } from '../telegram-api.js';
import type { ReceiptImage } from '../../db/telegram-receipt-photos.js';

/** Telegram's Bot API hands out files up to 20 MB; a receipt is far smaller, so anything past this is refused. */
const MAX_BYTES = 20 * 1024 * 1024;

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
};

/** A receipt's picture as fetched from Telegram, for a staff page. */
export interface ReceiptImageFile {
  bytes: Buffer;
  /** An image type read from the file's name, else `application/octet-stream` (served as a download). */
  contentType: string;
}

/**
 * Fetches the picture a buyer sent with a receipt from Telegram (`getFile`, then the file URL), for staff
 * reviewing it on the web. `null` when Telegram no longer has it or answers with something else.
 */
export async function fetchReceiptImage(config: TelegramConfig, image: ReceiptImage): Promise<ReceiptImageFile | null> {
  const file = await telegramApi(config).getFile(image.fileId);
  if (file.file_path === undefined || (file.file_size ?? 0) > MAX_BYTES) return null;
  const root = (config.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const res = await fetch(`${root}/file/bot${config.token}/${file.file_path}`, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) return null;
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_BYTES) return null;
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.file_path)?.[1]?.toLowerCase() ?? '';
  return { bytes, contentType: TYPES[extension] ?? 'application/octet-stream' };
}
