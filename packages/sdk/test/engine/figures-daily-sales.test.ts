import { describeDailySalesFromBuckets } from './figures-daily-sales-cases.js';

describeDailySalesFromBuckets('memory');
