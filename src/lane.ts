/** A lane: one thread's one-way channel to another (see threads/lane-format.ts for the format). */
export { CANNOT, FULL, newLaneBuffer, WRITTEN_OK } from './threads/lane-format.js';
export { LaneReader, type LaneSink } from './threads/lane-reader.js';
export { LaneWriter } from './threads/lane-writer.js';
