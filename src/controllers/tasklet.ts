/**
 * TaskletController: every actor on the calling thread's event loop, PARLEY's "tasklets". Messages pass
 * by reference, unless `copyMessages: true` copies them exactly as a thread boundary would, so that a
 * program's thread-model bugs (sharing mutable state, sending functions) show up in tasklet tests too.
 */
import { checkKnownOptions, checkOption } from '../core/errors.js';
import { defaultController } from '../runtime/options.js';
import type { Runtime } from '../runtime/runtime.js';
import { WorkerPool } from '../threads/pool.js';
import type { Controller } from './controller.js';

/** Options of `new TaskletController(options)` and `startTaskletController(options)`. */
export interface TaskletControllerOptions {
  /** Copy every message with the structured-clone algorithm, as threads do (default false). */
  copyMessages?: boolean;
}

/**
 * Runs every actor on the calling thread's event loop (PARLEY's "tasklets"): the default controller.
 * Messages pass by reference unless `copyMessages: true`; `spawnWith({ thread: 'own' })` still gives an
 * actor a worker thread of its own.
 *
 * @example
 * ```ts
 * const runtime = new Runtime({ controller: new TaskletController({ copyMessages: true }) });
 * await runtime.run(main);
 * ```
 * @throws InvalidOptionError for an unknown option or a `copyMessages` that is not a boolean.
 */
export class TaskletController implements Controller {
  /** Whether messages are copied with the structured-clone algorithm (the `copyMessages` option). */
  readonly copiesMessages: boolean;
  private runtime: Runtime | undefined;
  private pool: WorkerPool | undefined;

  constructor(options: TaskletControllerOptions = {}) {
    checkKnownOptions(options, 'TaskletController options', ['copyMessages']);
    checkOption(
      options.copyMessages === undefined || typeof options.copyMessages === 'boolean',
      'TaskletController options.copyMessages',
      'must be a boolean',
      options.copyMessages,
    );
    this.copiesMessages = options.copyMessages ?? false;
  }

  /** @internal */
  attach(runtime: Runtime): void {
    checkOption(
      this.runtime === undefined || this.runtime === runtime,
      'options.controller',
      'is already used by another Runtime; give each Runtime its own controller',
      'a used controller',
    );
    this.runtime = runtime;
  }

  /**
   * @internal A worker thread for one actor (`spawnWith({ thread: 'own' }, …)`): blocking or CPU-heavy work
   * off the event loop, with the same semantics as every other actor.
   */
  ownThread(runtime: Runtime): number {
    this.pool ??= new WorkerPool(runtime, { record: runtime.recording.on });
    return this.pool.start(true);
  }

  /** @internal */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}

defaultController.make = () => new TaskletController();
