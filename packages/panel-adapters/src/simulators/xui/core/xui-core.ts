/**
 * A real proxy core behind the simulated 3x-ui panel, run the way 3x-ui runs Xray: the config is
 * made from the panel's inbounds and clients and the core restarted whenever a client change
 * alters it; the traffic job reads per-client counters from the core's stats API into the traffic
 * rows the panel API reports, then disables depleted and expired clients (which takes them out of
 * the core). Every operation runs one at a time, in call order.
 */
import { dirname, join } from 'node:path';
import type { Clock } from '@panelkit/sdk';
import { key, type SimInbound, type XuiState } from '../state.js';
import { buildCoreConfig, type CoreInboundStatus } from './config.js';
import { CoreProcess, freeLocalPort } from './process.js';
import { queryUserTraffic } from './stats.js';

/** How the simulator runs its core. */
export interface XuiCoreOptions {
  /** The core binary, e.g. `/usr/bin/v2ray` (v2ray 4.x: `-config <file>`). */
  readonly binary: string;
  /** The stats client, `v2ctl` beside `binary` unless given. */
  readonly ctlBinary?: string;
  /**
   * Run the traffic job every this many real milliseconds (3x-ui: 10 s). Unset: only when
   * {@link XuiCore.trafficJob} is called (tests call it to be deterministic).
   */
  readonly trafficIntervalMs?: number;
  /** Which inbounds the core runs (default: every one it can); the others stay API-only. */
  readonly serve?: (inbound: SimInbound) => boolean;
}

/** What one traffic job did. */
export interface CoreTrafficReport {
  /** Bytes credited to clients' traffic rows, up plus down. */
  readonly bytes: number;
  /** Clients the job disabled (depleted or expired). */
  readonly disabled: number;
}

/** The core a {@link XuiSimulator} drives when given `core` options. */
export class XuiCore {
  readonly #state: XuiState;
  readonly #clock: Clock;
  readonly #ctl: string;
  readonly #process: CoreProcess;
  readonly #intervalMs: number | undefined;
  readonly #serve: ((inbound: SimInbound) => boolean) | undefined;
  #apiPort: number | undefined;
  #running: string | undefined;
  #statuses: readonly CoreInboundStatus[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #restarts = 0;
  /** Between `start()` and `stop()`: only then do client changes and traffic jobs touch the process. */
  #started = false;
  /** Clients that moved bytes since the last traffic job (counters are also read before restarts). */
  readonly #active = new Set<string>();
  /** The last error a client change met while restarting the core (the panel's API still answered). */
  lastError: Error | undefined;

  /** Made by `XuiSimulator` from its `core` option. @internal */
  constructor(state: XuiState, clock: Clock, options: XuiCoreOptions) {
    this.#state = state;
    this.#clock = clock;
    this.#process = new CoreProcess(options.binary);
    this.#ctl = options.ctlBinary ?? join(dirname(options.binary), 'v2ctl');
    this.#intervalMs = options.trafficIntervalMs;
    this.#serve = options.serve;
  }

  /** Which inbounds the core serves, and why the others stay API-only. */
  inbounds(): readonly CoreInboundStatus[] {
    return this.#statuses;
  }

  /** How many times the core was (re)started. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The loopback port of the core's stats API (StatsService), once started. */
  get apiPort(): number | undefined {
    return this.#apiPort;
  }

  /** The running core's process id, or undefined. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** Starts the core on the panel's current inbounds and clients (and the periodic traffic job when configured). */
  start(): Promise<void> {
    this.#started = true;
    if (this.#intervalMs !== undefined && this.#timer === undefined) {
      this.#timer = setInterval(
        () => void this.trafficJob().catch((error: unknown) => (this.lastError = error as Error)),
        this.#intervalMs,
      );
      this.#timer.unref?.();
    }
    return this.sync();
  }

  /**
   * Brings the core in line with the panel: when the config it would run differs from the running
   * one, credits the counters the running core holds and restarts it on the new config.
   */
  sync(): Promise<void> {
    return this.#serial(() => this.#sync());
  }

  /**
   * 3x-ui's traffic job: credits the core's per-client counters, marks the clients that moved bytes
   * since the last job as online (the panel's `onlines`), disables depleted and expired clients, and
   * applies that to the core.
   */
  trafficJob(): Promise<CoreTrafficReport> {
    return this.#serial(async () => {
      const bytes = await this.#collect();
      this.#state.polled = true;
      this.#state.online.clear();
      for (const k of this.#active) if (this.#state.clients.has(k)) this.#state.online.add(k);
      this.#active.clear();
      const disabled = this.#state.enforce(this.#clock.now().getTime());
      await this.#sync();
      return { bytes, disabled };
    });
  }

  /** Stops the core and the periodic job; removes the config directory. Client changes no longer start it (until `start()`). */
  stop(): Promise<void> {
    this.#started = false;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#serial(async () => {
      await this.#process.dispose();
      this.#running = undefined;
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #sync(): Promise<void> {
    this.#apiPort ??= await freeLocalPort();
    const config = buildCoreConfig(this.#state, this.#apiPort, this.#serve);
    this.#statuses = config.inbounds;
    if (!this.#started) return;
    const json = JSON.stringify(config.json);
    if (json === this.#running && this.#process.pid !== undefined) return;
    if (this.#running !== undefined) await this.#collect().catch(() => 0);
    this.#running = undefined;
    await this.#process.start(config.json, config.ports);
    this.#running = json;
    this.#restarts++;
    this.lastError = undefined;
  }

  /** Reads and resets the core's per-user counters into the traffic rows; the bytes credited. */
  async #collect(): Promise<number> {
    if (this.#apiPort === undefined || this.#process.pid === undefined) return 0;
    const now = this.#clock.now().getTime();
    let bytes = 0;
    for (const delta of await queryUserTraffic(this.#ctl, this.#apiPort)) {
      if (delta.up + delta.down === 0 || !this.#state.traffic.has(key(delta.email))) continue;
      this.#state.addTraffic(delta.email, delta.up, delta.down, now);
      this.#active.add(key(delta.email));
      bytes += delta.up + delta.down;
    }
    return bytes;
  }
}
