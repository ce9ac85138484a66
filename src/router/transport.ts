/**
 * The seam between the router and a placement. A `Transport` carries signals and requests to the places
 * it reaches: a place is a number (the `thread` part of every ActorRef and of every id); the thread
 * transport maps places to the worker threads of this process, a cluster transport maps them to the
 * threads of other processes. The router never knows which: it asks `reaches(place)` and `post`s.
 *
 * What a transport must guarantee:
 * - **Per-pair FIFO.** Signals posted from one place to another arrive in the order they were posted,
 *   whatever their kind or size (a transport with several channels — lanes and ports — keeps one order
 *   across them). The one exception is `urgent` exit signals (see `post`).
 * - **At-most-once.** A signal arrives once or not at all; never twice.
 * - **No silent loss.** A signal may be lost only together with its place, and then the transport calls
 *   `lost(place)` on its sink exactly once; after that it `reaches(place)` no more.
 * - **Copy semantics.** What arrives is a structured-clone copy made by the one wire codec (wire.ts):
 *   refs revive bound to the receiving place, errors keep their class, cycles survive. A value that cannot
 *   cross fails at `post` with NotCloneableError, before anything is sent — except exit reasons, which
 *   the router reduces to a cloneable description first (a dying actor always finishes dying).
 * - **Requests are answered or rejected.** `request` settles: with the answer, with the error the other
 *   place answered, or with a NoConnectionError-style rejection when the place is lost or unreachable.
 */
import type { AnswerOf, Request, Signal } from './signal.js';

/**
 * Places from here up are threads of other nodes of a cluster (local aliases, see cluster/places.ts);
 * below are this process's threads. The router hands signals for them to its remote transport.
 */
export const REMOTE_BASE = 2 ** 16;

export interface Transport {
  /** Does this transport carry signals to `place` now? */
  reaches(place: number): boolean;
  /**
   * Sends `signal` to the place its target lives in. `urgent` (exit signals only): the receiver may
   * apply it ahead of earlier data from this place when it cannot be observed out of order (a kill, an
   * exit to an actor that does not trap exits); a trapped exit still keeps its place in the order.
   */
  post(place: number, signal: Signal, urgent?: boolean): void;
  /** Asks `place` a control question. */
  request<R extends Request>(place: number, request: R): Promise<AnswerOf<R>>;
  /** Stops carrying anything; releases ports, shared memory and timers. */
  close(): void;
}

/** What a transport delivers into: the receiving place's router. */
export interface TransportSink {
  /** A signal arrived for an actor of this place. */
  arrive(signal: Signal, urgent: boolean): void;
  /** Another place asks something; the promise's value (or rejection) is the answer. */
  answer<R extends Request>(request: R): Promise<AnswerOf<R>>;
  /** `place` is gone, with everything on it: 'noconnection' for everyone linked to or watching it. */
  lost(place: number): void;
}

/** A request's place was lost before it answered (the router answers as for an unreachable place). */
export class PlaceLostError extends Error {
  constructor(readonly place: number) {
    super(`thread ${place} was lost before it answered`);
    this.name = 'PlaceLostError';
  }
}
