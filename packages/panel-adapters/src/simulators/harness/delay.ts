/** A real pause (simulated latency, the window in which concurrent writes clobber each other). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
