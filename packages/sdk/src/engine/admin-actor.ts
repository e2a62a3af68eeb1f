import type { Actor } from '../domain/common.js';

/** Who an admin operation is recorded as when the host names nobody. */
export const ADMIN_ACTOR: Actor = Object.freeze({ type: 'admin', id: null });
