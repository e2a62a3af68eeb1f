/**
 * A request's path as the request log writes it: credentials carried in the path (a subscription link's token, a
 * password reset's, a family invite's) are blanked, also where the sign-in page carries the path back as `next`.
 */
export function loggedUrl(url: string | undefined): string | undefined {
  return url
    ?.replace(/^\/(s|reset-password|family\/join)\/[^/?]+/, '/$1/[redacted]')
    .replace(/([?&]next=%2F(?:s|reset-password|family%2Fjoin)%2F)[^&]+/i, '$1[redacted]');
}
