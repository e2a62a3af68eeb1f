/**
 * The routing a Clash (mihomo) or sing-box profile gives a connection, read by the cores' documented rule semantics
 * (first match wins; mihomo's rules wiki; sing-box's route and rule-set pages), for the checks a real core would
 * make where none installs (see `routing-geo.ts`). Anything these readers do not know is an error, not a miss.
 */
import { z } from 'zod';
import { countryOf, inCidr, inGeosite, type Destination } from './routing-geo.js';

/** The target of the first Clash rule that takes `dest` (`DIRECT`, `REJECT` or a group's name). */
export function clashRoute(rules: readonly string[], dest: Destination): string {
  for (const rule of rules) {
    const [type, value, target] = rule.split(',') as [string, string, string];
    if (type === 'MATCH') return value;
    const hit =
      type === 'IP-CIDR' || type === 'IP-CIDR6'
        ? inCidr(dest.ip, value)
        : type === 'GEOSITE'
          ? inGeosite(dest.domain, value)
          : type === 'GEOIP'
            ? countryOf(dest.ip) === value.toLowerCase()
            : (() => {
                throw new Error(`unknown Clash rule ${rule}`);
              })();
    if (hit) return target;
  }
  throw new Error('no Clash rule matched and there is no MATCH rule');
}

const Version = z.object({ major: z.number(), minor: z.number() });
type Version = z.infer<typeof Version>;
const atLeast = (v: Version, major: number, minor: number) => v.major > major || (v.major === major && v.minor >= minor);

/** A remote rule set as sing-box 1.8+ documents it (`route.rule_set[]`). */
const RemoteRuleSet = z.strictObject({
  type: z.literal('remote'),
  tag: z.string().min(1),
  format: z.enum(['binary', 'source']),
  url: z.url(),
  download_detour: z.string().optional(),
});

/** The route rule fields these profiles use, per the version that has them. */
function routeRuleSchema(v: Version) {
  const fields: Record<string, z.ZodType> = {
    protocol: z.string().optional(),
    ip_cidr: z
      .array(z.string().regex(/^[\da-f.:]+\/\d{1,3}$/))
      .min(1)
      .optional(),
    outbound: z.string().optional(),
  };
  if (atLeast(v, 1, 11)) fields['action'] = z.enum(['route', 'sniff', 'hijack-dns', 'resolve', 'reject']).optional();
  if (atLeast(v, 1, 8)) {
    fields['ip_is_private'] = z.literal(true).optional();
    fields['rule_set'] = z.array(z.string()).min(1).optional();
  }
  if (!atLeast(v, 1, 12)) {
    fields['geoip'] = z.array(z.string()).min(1).optional();
    fields['geosite'] = z.array(z.string()).min(1).optional();
  }
  return z.strictObject(fields);
}

/** The parts of a sing-box profile the routing touches, checked for `version`; the problems found (none: valid). */
export function singBoxProblems(profile: unknown, version: Version): string[] {
  const Profile = z.object({
    inbounds: z.array(z.looseObject({ type: z.string(), tag: z.string(), sniff: z.boolean().optional() })),
    outbounds: z.array(z.looseObject({ type: z.string(), tag: z.string() })),
    dns: z.object({
      servers: z.array(z.looseObject({ tag: z.string() })),
      rules: z
        .array(z.strictObject({ rule_set: z.array(z.string()).optional(), geosite: z.array(z.string()).optional(), server: z.string() }))
        .optional(),
    }),
    route: z.strictObject({
      auto_detect_interface: z.boolean(),
      final: z.string(),
      rules: z.array(routeRuleSchema(version)),
      rule_set: atLeast(version, 1, 8) ? z.array(RemoteRuleSet).optional() : z.never().optional(),
    }),
    experimental: z.strictObject({ cache_file: z.strictObject({ enabled: z.boolean() }) }).optional(),
  });
  const parsed = Profile.safeParse(profile);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const p = parsed.data;
  const problems: string[] = [];
  const outbounds = new Set(p.outbounds.map((o) => o.tag));
  const ruleSets = new Set((p.route.rule_set ?? []).map((r) => r.tag));
  const servers = new Set(p.dns.servers.map((s) => s.tag));
  if (ruleSets.size !== (p.route.rule_set ?? []).length) problems.push('route.rule_set: repeated tag');
  for (const rule of p.route.rules as Array<Record<string, unknown>>) {
    if (typeof rule['outbound'] === 'string' && !outbounds.has(rule['outbound']))
      problems.push(`route rule to unknown outbound ${rule['outbound']}`);
    for (const tag of (rule['rule_set'] as string[] | undefined) ?? [])
      if (!ruleSets.has(tag)) problems.push(`route rule names unknown rule set ${tag}`);
  }
  for (const rule of p.dns.rules ?? []) {
    if (!servers.has(rule.server)) problems.push(`dns rule to unknown server ${rule.server}`);
    for (const tag of rule.rule_set ?? []) if (!ruleSets.has(tag)) problems.push(`dns rule names unknown rule set ${tag}`);
  }
  for (const set of p.route.rule_set ?? []) {
    if (set.download_detour !== undefined && !outbounds.has(set.download_detour))
      problems.push(`rule set ${set.tag} downloads through unknown ${set.download_detour}`);
  }
  if (!outbounds.has(p.route.final)) problems.push(`route.final names unknown outbound ${p.route.final}`);
  return problems;
}

type RuleSetEntry = { tag: string; url: string };

/** Whether one sing-box rule set (by its published file's name) holds the destination. */
function inRuleSet(set: RuleSetEntry, dest: Destination, nameKnown: boolean): boolean {
  const site = /\/geosite-([\w-]+)\.srs$/.exec(set.url);
  if (site !== null) return nameKnown && inGeosite(dest.domain, site[1] as string);
  const ip = /\/geoip-([a-z]{2})\.srs$/.exec(set.url);
  if (ip !== null) return countryOf(dest.ip) === ip[1];
  throw new Error(`unknown rule set ${set.url}`);
}

/** The parts of a sing-box profile its routing reads. */
export interface RoutedProfile {
  inbounds: Array<{ sniff?: boolean }>;
  route: { rules: Array<Record<string, unknown>>; rule_set?: RuleSetEntry[]; final: string };
}

/**
 * The outbound a sing-box profile sends a TCP connection to `dest` to: rules in order, the first that matches and
 * routes wins, else `route.final`. The name is known to the rules only once sniffed: by the inbound's `sniff`
 * before 1.11, by a `sniff` rule action from 1.11.
 */
export function singBoxRoute(profile: RoutedProfile, version: Version, dest: Destination): string {
  const sets = new Map((profile.route.rule_set ?? []).map((s) => [s.tag, s]));
  let nameKnown = !atLeast(version, 1, 11) && profile.inbounds[0]?.sniff === true;
  for (const rule of profile.route.rules) {
    const { action, outbound, ...match } = rule;
    if (action === 'sniff') {
      nameKnown = true;
      continue;
    }
    if (action !== undefined && action !== 'route') continue;
    const keys = Object.keys(match);
    if (keys.length !== 1) throw new Error(`rule with ${keys.length} match fields: ${JSON.stringify(rule)}`);
    const key = keys[0] as string;
    const value = match[key];
    const hit =
      key === 'protocol'
        ? false // the connections routed here are TLS to port 443, never DNS
        : key === 'ip_cidr'
          ? (value as string[]).some((cidr) => inCidr(dest.ip, cidr))
          : key === 'ip_is_private'
            ? countryOf(dest.ip) === 'private'
            : key === 'rule_set'
              ? (value as string[]).some((tag) => inRuleSet(sets.get(tag) as RuleSetEntry, dest, nameKnown))
              : key === 'geoip'
                ? (value as string[]).includes(countryOf(dest.ip))
                : key === 'geosite'
                  ? nameKnown && (value as string[]).some((list) => inGeosite(dest.domain, list))
                  : (() => {
                      throw new Error(`unknown rule field ${key}`);
                    })();
    if (hit) return outbound as string;
  }
  return profile.route.final;
}
