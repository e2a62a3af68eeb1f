import { updateInFlight, type StoragePort } from '@panelkit/sdk';

/** Whether a paid extension or renewal of the subscription is queued or running (the engine refuses a second meanwhile). */
export function changeInFlight(storage: StoragePort, subscriptionId: string): Promise<boolean> {
  return updateInFlight(storage, subscriptionId);
}
