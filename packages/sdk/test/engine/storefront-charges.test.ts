import { describeStorefrontCharges } from './storefront-charges-cases.js';

describeStorefrontCharges('memory');
