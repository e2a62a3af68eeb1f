import { describeStoragePort } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '../src/index.js';

describeStoragePort('memory', async ({ clock }) => ({ storage: createMemoryStorage({ clock }) }));
