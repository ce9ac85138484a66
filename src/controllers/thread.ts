/**
 * ThreadController: actors spread over a pool of worker threads (M actors : N threads), the same program
 * as on the TaskletController. The main thread runs `main` and plain function actors; actor classes and
 * functionActors go round-robin to the worker threads, which import them from their modules. A worker
 * thread that dies takes only its actors (they exit 'noconnection') and is replaced.
 */
import { availableParallelism } from 'node:os';
import { checkKnownOptions, checkOption } from '../core/errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { WorkerPool } from '../threads/pool.js';
import { type Controller, RoundRobin } from './controller.js';

/** Options of `new ThreadController(options)` and `startThreadController(options)`. */
export interface ThreadControllerOptions {
  /** Worker threads in the pool (default: the machine's available parallelism). */
  threads?: number;
  /**
   * Low-latency mode (default 0: off). A worker thread that runs out of work polls for messages from
   * other threads for this many microseconds before it sleeps, so a cross-thread round trip costs a few
   * microseconds instead of a thread wake-up (~50 µs). The price is CPU: an idle worker burns up to this
   * long per wake-up, and a worker in a conversation keeps its core busy. Worth it for request/response
   * traffic between threads when latency matters and cores are to spare; 50–200 is a good range.
   */
  spinMicros?: number;
}

/**
 * Spreads actors over a pool of worker threads (M actors on N threads). Actor classes and
 * {@link functionActor}s go round-robin to the workers, which import them from their modules (so they
 * must be exported from the top level of a side-effect-free module); `main` and plain function actors
 * stay on the thread that spawns them. Messages are always copied. A worker thread that dies takes only
 * its actors (they exit `'noconnection'`) and is replaced.
 *
 * @example
 * ```ts
 * await new Runtime({ controller: new ThreadController({ threads: 4 }) }).run(main);
 * ```
 * @throws InvalidOptionError for an unknown option, `threads` not a whole number from 1 to 256, or
 * `spinMicros` not from 0 to 1,000,000.
 */
export class ThreadController implements Controller {
  /** Messages are always copied, on one thread as between threads, so placement never changes behaviour. */
  readonly copiesMessages = true;
  readonly placement = new RoundRobin();
  /** Worker threads in the pool (the `threads` option, or the machine's available parallelism). */
  readonly threads: number;
  private pool: WorkerPool | undefined;
  private runtime: Runtime | undefined;

  constructor(options: ThreadControllerOptions = {}) {
    checkKnownOptions(options, 'ThreadController options', ['threads', 'spinMicros']);
    const threads = options.threads ?? availableParallelism();
    checkOption(
      Number.isInteger(threads) && threads >= 1 && threads <= 256,
      'ThreadController options.threads',
      'must be a whole number from 1 to 256',
      threads,
    );
    this.threads = threads;
    const spin = options.spinMicros ?? 0;
    checkOption(
      typeof spin === 'number' && spin >= 0 && spin <= 1_000_000,
      'ThreadController options.spinMicros',
      'must be a number of microseconds from 0 to 1000000',
      spin,
    );
    this.spinMicros = spin;
  }

  /** Low-latency mode: µs a worker polls for messages before it sleeps (0: off). */
  readonly spinMicros: number;

  /** @internal */
  attach(runtime: Runtime): void {
    checkOption(
      this.runtime === undefined,
      'options.controller',
      'is already used by another Runtime; give each Runtime its own controller',
      'a used controller',
    );
    this.runtime = runtime;
    this.pool = new WorkerPool(runtime, { record: runtime.recording.on, spinMicros: this.spinMicros });
    for (let i = 0; i < this.threads; i++) this.pool.start(false);
  }

  /** @internal */
  ownThread(): number {
    return this.pool!.start(true);
  }

  /** The worker thread numbers now running (they change when a thread dies and is replaced). */
  get workerThreads(): number[] {
    return this.pool?.threads ?? [];
  }

  /**
   * Ends worker thread `thread` abruptly, as a crash would: its actors exit with 'noconnection' and a
   * replacement thread starts. For fault-injection tests.
   */
  killThread(thread: number): void {
    this.pool?.kill(thread);
  }

  /** @internal */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
