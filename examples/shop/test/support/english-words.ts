/**
 * Finding English left behind in a page or a bot message shown in another language (issue 48). What stays in Latin
 * letters in every language: product and brand names, protocols and formats, units, and the shop's own settings'
 * names. Anything else in Latin letters on a Russian or Chinese page is an untranslated string.
 */

/** Names written as they are in every language (each word of a multi-word name listed). */
export const PRODUCT_NAMES: readonly string[] = [
  // Client apps and their stores.
  'v2rayNG',
  'v2rayN',
  'v2RayTun',
  'Hiddify',
  'Streisand',
  'FoXray',
  'NekoBox',
  'NekoRay',
  'Happ',
  'FlClash',
  'FlClashX',
  'Mi',
  'sing-box',
  'SFA',
  'SFI',
  'SFM',
  'Clash',
  'Verge',
  'Rev',
  'Meta',
  'Karing',
  'V2Box',
  'INCY',
  'Stash',
  'Mihomo',
  'Party',
  'Prizrak-Box',
  'Throne',
  'TUN',
  'Google',
  'Play',
  'App',
  'Store',
  'GitHub',
  'Aegis',
  'Authenticator',
  '1Password',
  // Platforms.
  'Android',
  'iOS',
  'iPhone',
  'iPad',
  'Windows',
  'macOS',
  'Linux',
  // Panels, gateways, services.
  'S-UI',
  '3x-ui',
  'x-ui',
  'PasarGuard',
  'Marzban',
  'Marzneshin',
  'NOWPayments',
  'Zarinpal',
  'CryptoBot',
  'EPay',
  'Alipay',
  'WeChat',
  'YooKassa',
  'Kassa', // ЮKassa, as YooKassa writes itself in Russian
  'Stripe',
  'Provider', // Happ's "Provider ID", the name of the setting on happ-proxy.com
  'Stars', // Telegram Stars, as Telegram names them in every language
  'Telegram',
  'PostgreSQL',
  'SMTP',
  // Protocols, formats, units, currencies.
  'API',
  'JSON',
  'CSV',
  'IPN',
  'QR',
  'VPN',
  'URL',
  'ID',
  'UTC',
  'GiB',
  'MiB',
  'USDT',
  'TON',
  'USD',
  'NUL',
  'HTTP',
  'HTTPS',
  'Bearer',
  'Authorization',
  'YYYY-MM-DD',
  // Proxy protocols, as panels name their inbounds.
  'vless',
  'vmess',
  'trojan',
  'shadowsocks',
  'SS',
  // What a plan sells (issue 92), as the apps and the panels name it in every language.
  'Xray',
  'WireGuard',
  'AmneziaWG',
  'AmneziaVPN',
  'MTProto',
];

/** Brand names of several words whose last word alone would be an English word ("Pay"): removed whole. */
const PRODUCT_PHRASES: readonly string[] = ['WeChat Pay', 'Apple Pay', 'Google Pay', 'T-Pay'];

/** A word in Latin letters (with inner hyphens and apostrophes: "sing-box", "don't"). */
const WORD = /[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]/g;

/**
 * The words of `text` in Latin letters that are not product names (nor `alsoAllowed`: the shop's name, an email…).
 * Addresses, paths, e-mail addresses, handles, commands, references (`AB12CD34`) and code-like tokens (with digits,
 * dots or underscores) are not words.
 */
export function englishWordsIn(text: string, alsoAllowed: readonly string[] = []): string[] {
  const allowed = new Set([...PRODUCT_NAMES, ...alsoAllowed.flatMap((a) => a.match(WORD) ?? [])]);
  const stripped = PRODUCT_PHRASES.reduce((rest, phrase) => rest.replaceAll(phrase, ' '), text)
    .replace(/\b[a-z][a-z+.-]*:\/\/\S*/gi, ' ') // addresses, and schemes (https://, tg://)
    .replace(/\bnpm run [\w:-]+(?: -- [\w-]+)?(?: <\w+>)?/g, ' ') // operator commands, as typed
    .replace(/\S*@\S+/g, ' ') // e-mail addresses, @usernames
    .replace(/(^|\s)\/[\w/.<>…-]*/g, ' ') // paths and bot commands
    .replace(/\S*[\d_.][A-Za-z]\S*|\S*[A-Za-z][\d_.]\S*/g, ' ') // code-like: ids, versions, file and host names
    .replace(/\b[A-Z0-9]{2,}(?:-[A-Z0-9]{2,})*-[A-Z0-9]{6,}\b/g, ' ') // prefixed references (TEST-K3F9QZ…)
    .replace(/\b[A-Z0-9]{6,}\b/g, ' '); // references and invoice codes
  const words = stripped.match(WORD) ?? [];
  return [...new Set(words.filter((w) => !allowed.has(w) && w.length > 1))];
}
