import { SecretKeyError } from '@panelkit/sdk';
import { ConfigError } from '../config/config.js';
import { PanelsFileError } from '../app/panels/panels-file.js';
import { DatabasePasswordMissingError } from './database-password.js';

/** One clear sentence for what usually stops a shop from starting, or `null` for anything else (shown in full). */
export function explainStartupError(error: unknown, settings: { port?: number } = {}): string | null {
  if (error instanceof ConfigError || error instanceof PanelsFileError) return error.message;
  if (DatabasePasswordMissingError.in(error)) return new DatabasePasswordMissingError().message;
  if (SecretKeyError.is(error))
    return `the secret keys do not fit the database: ${error.message} (check SHOP_SECRET_KEYS, or secret-keys.json in the data folder)`;
  // The storage wraps driver errors; the driver's code is on the cause.
  const causeCode = ((error as { cause?: unknown } | null)?.cause as NodeJS.ErrnoException | undefined)?.code;
  const code = causeCode ?? (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return `port ${settings.port ?? '?'} is already in use: stop what uses it, or set PORT to another port`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `the database cannot be reached (${code}): check DATABASE_URL and that PostgreSQL is running`;
  if (code === '28P01' || code === '28000') return 'the database refused the login: check the user and password in DATABASE_URL';
  if (code === '3D000') return 'the database named in DATABASE_URL does not exist: create it first';
  return null;
}

/** Prints why the shop could not start and exits with status 1. */
export function exitOnStartupError(error: unknown, settings: { port?: number } = {}): never {
  const explained = explainStartupError(error, settings);
  console.error(explained === null ? error : `cannot start: ${explained}`);
  process.exit(1);
}
