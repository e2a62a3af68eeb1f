export {
  MarzneshinAdapter,
  createMarzneshinAdapter,
  MARZNESHIN_MAX_PAGE,
  MARZNESHIN_LIST_ORDER,
  type MarzneshinAdapterOptions,
} from './adapter.js';
