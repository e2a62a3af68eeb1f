import type { ChurnDimension, ChurnFigures, FigureScope, OwnerFiguresOverview } from '@panelkit/sdk/figures';
import { ACQUISITION_SOURCE_KINDS, type FiguresCalendar } from '@panelkit/sdk/rules';
import type { Viewer } from '../viewer.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { figuresCalendarOf, type MonthRange } from './figure-months.js';

/**
 * Who reads the owner figures, and so which scopes they may ask for: the owner (an `admin` account) every scope;
 * a reseller only `sf:<their storefront>`, their own buyers.
 */
export type FiguresReader = { kind: 'owner' } | { kind: 'reseller'; storefrontId: string; storefrontName: string };

/**
 * The churn splits a scope has: by storefront and by source only for the whole shop (the SDK reads those splits from
 * each storefront's and source's own scope), so never for a reseller, whose buyers have one storefront.
 */
export function churnDimensionsFor(scope: FigureScope): readonly ChurnDimension[] {
  return scope === '*' ? ['plan', 'location', 'storefront', 'source'] : ['plan', 'location'];
}

/** Whether `text` is a scope the SDK reads: `*`, `sf:<id>` or `src:<kind>`. */
function isScope(text: string): text is FigureScope {
  if (text === '*') return true;
  if (text.startsWith('sf:')) return /^sf:[A-Za-z0-9_-]{1,128}$/.test(text);
  return text.startsWith('src:') && (ACQUISITION_SOURCE_KINDS as readonly string[]).includes(text.slice(4));
}

/**
 * The reader behind a request: an owner, or the reseller who runs a storefront. Anyone else (a buyer, support
 * staff, who do not see the shop's money) is `forbidden`.
 */
export async function figuresReaderOf(shop: Pick<Shop, 'kit'>, viewer: Viewer): Promise<FiguresReader> {
  if (viewer.account.role === 'admin') return { kind: 'owner' };
  if (viewer.account.role === 'buyer') {
    const storefront = await shop.kit.storefronts.byReseller(viewer.customer.id);
    if (storefront !== null) return { kind: 'reseller', storefrontId: storefront.id, storefrontName: storefront.name };
  }
  throw new ShopError('forbidden', 'figures.forbidden');
}

/**
 * The scope `reader` reads when it asks for `asked` (absent: its own, `*` for the owner): an owner may ask for any
 * scope; a reseller only for its own storefront's, and asking for `*`, another storefront or a source is `forbidden`.
 * A scope that is not one is `invalid_input`.
 */
export function scopeFor(reader: FiguresReader, asked: string | undefined): FigureScope {
  const own: FigureScope = reader.kind === 'owner' ? '*' : `sf:${reader.storefrontId}`;
  if (asked === undefined || asked === '') return own;
  if (!isScope(asked)) throw new ShopError('invalid_input', 'figures.errors.badScope', {}, { scope: 'figures.errors.badScope' });
  if (reader.kind === 'reseller' && asked !== own) throw new ShopError('forbidden', 'figures.forbidden');
  return asked;
}

/** What the overview's figures sections show: the reader, the scope and months read, and the SDK's answer. */
export interface OwnerFiguresRead {
  reader: FiguresReader;
  calendar: FiguresCalendar;
  range: MonthRange;
  overview: OwnerFiguresOverview;
  /** Churn split by each dimension the scope has, in {@link churnDimensionsFor}'s order. */
  churn: ChurnFigures[];
  /** Names of the plans and storefronts churn names by id (a reseller gets no storefront's). */
  names: { plans: Record<string, string>; storefronts: Record<string, string> };
}

/**
 * The owner figures of `range` for the viewer: the overview of the scope asked (see {@link scopeFor}) and its churn
 * by every split the reader may see, read from the SDK's rollups (`kit.figures`, nothing scanned). The one use case
 * behind the overview's sections, the reseller's back office, the CSV exports and the JSON API.
 */
export async function readOwnerFigures(
  shop: Pick<Shop, 'kit' | 'config' | 'storage'>,
  viewer: Viewer,
  input: { scope?: string | undefined; range: MonthRange },
): Promise<OwnerFiguresRead> {
  const reader = await figuresReaderOf(shop, viewer);
  const scope = scopeFor(reader, input.scope);
  const { from, to } = input.range;
  const [overview, churn, plans, storefronts] = await Promise.all([
    shop.kit.figures.overview({ scope, from, to }),
    Promise.all(churnDimensionsFor(scope).map((dimension) => shop.kit.figures.churnBy({ scope, dimension, from, to }))),
    shop.storage.plans.list(),
    reader.kind === 'owner' ? shop.kit.storefronts.list() : Promise.resolve([]),
  ]);
  const names = {
    plans: Object.fromEntries(plans.map((p) => [p.id, p.name])),
    storefronts: Object.fromEntries(storefronts.map((s) => [s.id, s.name])),
  };
  return { reader, calendar: figuresCalendarOf(shop.config), range: input.range, overview, churn, names };
}

/**
 * Churn of `range` split by `dimension` for the viewer: a reseller reads its own storefront's by plan or location
 * only (`forbidden` for `storefront` and `source`, which read every storefront's and source's scope); the owner
 * splits by those for the whole shop only (`invalid_input` with another scope).
 */
export async function readChurn(
  shop: Pick<Shop, 'kit'>,
  viewer: Viewer,
  input: { scope?: string | undefined; dimension: ChurnDimension; range: MonthRange },
): Promise<ChurnFigures> {
  const reader = await figuresReaderOf(shop, viewer);
  const scope = scopeFor(reader, input.scope);
  if (!churnDimensionsFor(scope).includes(input.dimension))
    throw new ShopError(
      reader.kind === 'owner' ? 'invalid_input' : 'forbidden',
      reader.kind === 'owner' ? 'figures.errors.wholeShopOnly' : 'figures.forbidden',
    );
  return shop.kit.figures.churnBy({ scope, dimension: input.dimension, from: input.range.from, to: input.range.to });
}
