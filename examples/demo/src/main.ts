import { ManualClock } from '@panelkit/sdk';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { runWalkthrough } from './walkthrough.js';

const clock = new ManualClock(new Date());
const storage = createMemoryStorage({ clock });
await runWalkthrough(storage, clock, (line) => console.log(line));
await storage.close();
