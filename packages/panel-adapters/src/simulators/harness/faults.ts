import type { FaultScope, PanelFault } from '@panelkit/sdk/testing';

/** Pending faults, consumed in order by the first request each one matches. */
export class FaultQueue {
  readonly #pending: PanelFault[] = [];

  /** Queues a fault behind those already pending. */
  push(fault: PanelFault): void {
    this.#pending.push(fault);
  }

  /** Drops every pending fault. */
  clear(): void {
    this.#pending.length = 0;
  }

  get size(): number {
    return this.#pending.length;
  }

  /** Takes the first fault whose scope matches a request with this method. */
  take(method: string): PanelFault | undefined {
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
    const index = this.#pending.findIndex((fault) => scopeMatches(fault.on ?? 'any', write));
    if (index < 0) return undefined;
    return this.#pending.splice(index, 1)[0];
  }
}

function scopeMatches(scope: FaultScope, write: boolean): boolean {
  return scope === 'any' || (scope === 'write') === write;
}
