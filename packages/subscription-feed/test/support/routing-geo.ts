/**
 * What the apps' geo data says of a few addresses and names, for checking a profile's rules without a proxy core
 * (none installs here: Debian has no sing-box or mihomo, and its v2ray ships no geo files). Each entry is a fact the
 * real files hold: the GeoIP country of public resolvers run in that country, and names listed in v2fly's
 * domain-list-community (`data/category-ru` lists `pochta.ru`, `data/category-ir` lists `time.ir`, `data/cn`
 * includes every `.cn` name through `tld-cn`), from which geosite.dat, mihomo's geosite and sing-geosite are built.
 */

/** A connection a test routes: to an address, maybe with the name the app asked for (sniffed or from DNS). */
export interface Destination {
  readonly ip: string;
  readonly domain?: string;
}

/** GeoIP countries (lower case) of the addresses the tests use. */
const COUNTRY_OF_IP: Readonly<Record<string, string>> = {
  '77.88.8.8': 'ru', // Yandex DNS, Moscow
  '217.218.155.155': 'ir', // TCI's resolver, Tehran
  '114.114.114.114': 'cn', // 114DNS, Nanjing
  '8.8.8.8': 'us', // Google Public DNS
  '9.9.9.9': 'us', // Quad9 (the answer its GeoIP entry gives)
};

/** Geosite lists each name of the tests is in. */
const LISTS_OF_DOMAIN: Readonly<Record<string, readonly string[]>> = {
  'pochta.ru': ['category-ru'],
  'time.ir': ['category-ir'],
  'www.gov.cn': ['cn'],
  'example.com': [],
};

/** The GeoIP country of a test address (`private` for private ranges, as the files' `private` entry). */
export function countryOf(ip: string): string {
  if (/^(10\.|192\.168\.|127\.|169\.254\.)/.test(ip) || /^172\.(1[6-9]|2\d|3[01])\./.test(ip)) return 'private';
  const country = COUNTRY_OF_IP[ip];
  if (country === undefined) throw new Error(`no GeoIP fixture for ${ip}`);
  return country;
}

/** Whether a test name is in a geosite list. */
export function inGeosite(domain: string | undefined, list: string): boolean {
  if (domain === undefined) return false;
  const lists = LISTS_OF_DOMAIN[domain];
  if (lists === undefined) throw new Error(`no geosite fixture for ${domain}`);
  return lists.includes(list);
}

/** Whether an IPv4 address is inside a CIDR (IPv6 ranges never hold the tests' IPv4 addresses). */
export function inCidr(ip: string, cidr: string): boolean {
  if (cidr.includes(':')) return false;
  const [base, bits] = cidr.split('/') as [string, string];
  const toInt = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base) / size);
}

/** For each preset, a destination its country routes direct (by address, and by name) and foreign ones. */
export const COUNTRY_CASES = {
  ru: { home: { ip: '77.88.8.8' }, homeSite: { ip: '9.9.9.9', domain: 'pochta.ru' } },
  ir: { home: { ip: '217.218.155.155' }, homeSite: { ip: '9.9.9.9', domain: 'time.ir' } },
  cn: { home: { ip: '114.114.114.114' }, homeSite: { ip: '9.9.9.9', domain: 'www.gov.cn' } },
} as const;

/** A foreign address and a foreign name: they go through the proxy under every preset. */
export const FOREIGN: readonly Destination[] = [{ ip: '8.8.8.8' }, { ip: '9.9.9.9', domain: 'example.com' }];

/** A private address: direct under every preset. */
export const LOCAL: Destination = { ip: '192.168.1.10' };
