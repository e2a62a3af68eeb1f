import { PanelkitError } from '../errors.js';

/** A panel call skipped because the worker is stopping; its job goes back to the queue. */
export function shutdownError(): PanelkitError {
  return new PanelkitError('INTERNAL', 'the worker is stopping', { retryable: true, details: { shutdown: true } });
}

export function isShutdownError(error: PanelkitError): boolean {
  return error.details?.['shutdown'] === true;
}
