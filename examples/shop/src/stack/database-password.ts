import pg from 'pg';

/**
 * The database asked for a password and the shop has none: DATABASE_URL names none and PGPASSWORD is not set (an
 * `.env` written before the compose file took the password out of DATABASE_URL). Raised instead of the driver's
 * own failure, which names no setting.
 */
export class DatabasePasswordMissingError extends Error {
  constructor() {
    super(
      'PGPASSWORD: missing, and the database asks for a password (DATABASE_URL names none): add a line ' +
        'PGPASSWORD=<the database password> to .env (with the compose file, the value of its POSTGRES_PASSWORD line)',
    );
    this.name = 'DatabasePasswordMissingError';
  }

  /** Whether `error`, or an error it was caused by (the storage wraps the driver's), is this one. */
  static in(error: unknown): boolean {
    for (let at = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++)
      if (at instanceof DatabasePasswordMissingError) return true;
    return false;
  }
}

/**
 * pg's client, but for a server asking for a password that neither DATABASE_URL nor PGPASSWORD gives (pg has read
 * both when constructed): the login fails with `DatabasePasswordMissingError`. The driver asks a password callback
 * only when the server wants one, so a server that trusts this host still needs none.
 */
export class NamedPasswordClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    if (this.password === null || this.password === undefined) {
      (this as { password: unknown }).password = () => {
        throw new DatabasePasswordMissingError();
      };
    }
  }
}
