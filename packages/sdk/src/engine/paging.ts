import type { Page, PageRequest } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';

/** Every item of a paged query, a page at a time. */
export async function* pages(fetch: (page: PageRequest) => Promise<Page<Subscription>>, limit = 1000): AsyncGenerator<Subscription> {
  let cursor: string | null = null;
  do {
    const page: Page<Subscription> = await fetch({ limit, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== null);
}
