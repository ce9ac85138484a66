/**
 * Actors for the recording tests that must run on a worker thread (importable: top level of a module with
 * no side effects).
 */
import { Actor, handles, spawnWith } from '../../src/index.js';

/** Does nothing; its spawn arguments are only recorded. */
export class Quiet extends Actor {
  constructor(..._recorded: unknown[]) {
    super();
  }
}

/** Spawns a Quiet actor on its own thread with an argument that cannot cross threads or be recorded as is. */
export class SpawnsUnrecordable extends Actor {
  @handles('go')
  go(): string {
    const odd = {
      ok: 1,
      get bad(): never {
        throw new Error('no reading me');
      },
    };
    spawnWith({ thread: 'local' }, Quiet, odd);
    return 'spawned';
  }
}
