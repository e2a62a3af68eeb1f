/**
 * A cookie's name as this shop sets it: with the `__Host-` prefix when the shop runs on https (PUBLIC_URL), so the
 * browser takes it only from this host, over https, for path `/`: no sibling subdomain can plant or overwrite it.
 */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}
