/** The shapes the protocol mappings return: a mihomo proxy (named) and a sing-box outbound or endpoint (typed, tagged). */

/** One entry of a mihomo profile's `proxies`. */
export type ClashEntry = Record<string, unknown> & { name: string };

/** One entry of a sing-box profile's `outbounds` or `endpoints`. */
export type SingBoxEntry = Record<string, unknown> & { type: string; tag: string };
