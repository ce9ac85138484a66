/**
 * A controller decides where actors run: on the calling thread's event loop (TaskletController) or on a
 * pool of worker threads (ThreadController). The program above it does not change.
 */
import type { Runtime } from '../runtime/runtime.js';

/**
 * Where a {@link Runtime}'s actors run: a {@link TaskletController} (this thread's event loop) or a
 * {@link ThreadController} (a pool of worker threads). Pass one as `new Runtime({ controller })`; each
 * controller serves one Runtime. The program does not change with the controller.
 */
export interface Controller {
  /** Every message is copied with the structured-clone algorithm at the send. */
  readonly copiesMessages: boolean;
  /** @internal Called once by the Runtime that owns this controller. */
  attach(runtime: Runtime): void;
  /** @internal Stops what the controller started (threads); resolves when nothing is left. */
  close(): Promise<void>;
  /** @internal Where new actors go, when there are worker threads. */
  readonly placement?: Placement | undefined;
  /** @internal Starts a worker thread for one actor (`spawnWith({ thread: 'own' })`); returns its number. */
  ownThread?(runtime: Runtime): number;
}

/** @internal Picks the thread for a new actor. */
export interface Placement {
  next(live: number[], self: number): number;
}

/** @internal Round-robin over the live worker threads. */
export class RoundRobin implements Placement {
  private i = 0;
  next(live: number[], self: number): number {
    if (live.length === 0) return self;
    this.i = (this.i + 1) % live.length;
    return live[this.i]!;
  }
}
