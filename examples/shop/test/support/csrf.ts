/**
 * The `_csrf` value of the first form on a page. A module of its own, so that a test driving a shop over HTTP from
 * outside (the deployment test, in its own process) reads it without loading the shop that shop-under-test.ts starts.
 */
export function csrfFrom(pageHtml: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(pageHtml);
  if (match === null) throw new Error('no CSRF field on the page');
  return match[1] as string;
}
