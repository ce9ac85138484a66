/** A lane: one thread's one-way channel to another (see threads/lane-format.ts for the format). */
export { CANNOT, FULL, newLaneBuffer, WRITTEN_OK } from './lane-format.js';
export { LaneReader, type LaneSink } from './lane-reader.js';
export { LaneWriter } from './lane-writer.js';
