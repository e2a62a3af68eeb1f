/**
 * The panel's subscription settings (`subEnable`, `subPort`, `subPath`, `subDomain`, `subURI`, the
 * subscription TLS certificate) and the `defaultSettings` answer built from them, as
 * `SettingService.GetDefaultSettings` does: a configured `subURI` as is, otherwise
 * `BuildSubURIBase(request host) + subPath`, and no URI while the subscription service is off.
 */
import { ok } from './envelope.js';

/** The subscription settings the simulated panel is configured with (every field optional, defaults as noted). */
export interface XuiSubscriptionConfig {
  /** `subEnable`. Default true (the simulator serves subscriptions). */
  readonly enable?: boolean;
  /** `subPort`. Default 2096. */
  readonly port?: number;
  /** `subPath`. Default `/sub/`. */
  readonly path?: string;
  /** `subDomain`; empty means the host the request came to. */
  readonly domain?: string;
  /** `subURI`, when set by the admin (e.g. behind a reverse proxy); used as it is. */
  readonly uri?: string;
  /** Whether `subCertFile`/`subKeyFile` are set (https). Default false. */
  readonly tls?: boolean;
}

/** `BuildSubURIBase` + `subPath`, or the configured `subURI`; `''` when the service is off. */
export function subscriptionUri(config: XuiSubscriptionConfig, requestUrl: string): string {
  if (config.enable === false) return config.uri ?? '';
  if (config.uri) return config.uri;
  const tls = config.tls === true;
  const port = config.port ?? 2096;
  const host = config.domain || new URL(requestUrl).hostname;
  const scheme = tls ? 'https' : 'http';
  const base = (port === 443 && tls) || (port === 80 && !tls) ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
  return base + (config.path ?? '/sub/');
}

/** `POST …/setting/defaultSettings`: the keys an API client reads, beside a few of the others the panel sends. */
export function defaultSettingsAnswer(config: XuiSubscriptionConfig, request: Request): Response {
  return ok({
    expireDiff: 0,
    trafficDiff: 0,
    pageSize: 50,
    subEnable: config.enable !== false,
    subJsonEnable: false,
    subTitle: '',
    subURI: subscriptionUri(config, request.url),
    subJsonURI: '',
    subDomain: config.domain ?? '',
    remarkModel: '-ieo',
    datepicker: 'gregorian',
    ipLimitEnable: false,
  });
}
