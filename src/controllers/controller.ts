/**
 * A controller decides where actors run: on the calling thread's event loop (TaskletController) or on a
 * pool of worker threads (ThreadController, a later issue). The program above it does not change.
 */
import type { Runtime } from '../runtime.js';

export interface Controller {
  /** 'tasklet' or 'thread'. */
  readonly kind: string;
  /** Every message is copied with the structured-clone algorithm at the send. */
  readonly copiesMessages: boolean;
  /** @internal Called once by the Runtime that owns this controller. */
  attach(runtime: Runtime): void;
  /** @internal Stops what the controller started (threads); resolves when nothing is left. */
  close(): Promise<void>;
}
