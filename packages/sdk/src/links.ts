/**
 * `@panelkit/sdk/links`: the types of `kit.links`, each customer's one subscription link token (the `<token>` of a
 * buyer's `/s/<token>`: made once, rotated, resolved), and the shapes a token and a link version have.
 *
 * @module
 */
export {
  LINK_TOKEN_PATTERN,
  LINK_VERSION_PATTERN,
  type LinkTokensToMake,
  type PanelkitLinks,
  type PanelkitLinksOptions,
} from './engine/links.js';
