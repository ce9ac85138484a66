/** Actors of the printing tests (importable by worker threads: top level of a side-effect-free module). */
import { Actor, type ActorRef, exit, handles, spawnWith } from '../../src/index.js';

/** An account that answers, reports where it is, spawns a sibling and stops on demand. */
export class Account extends Actor {
  @handles('add')
  add(a: number, b: number): number {
    return a + b;
  }

  @handles('self')
  me(): ActorRef {
    return this.self;
  }

  /** Spawns another Account from this actor's thread (so its id is one this thread hands out). */
  @handles('spawn')
  spawnOne(thread: number | 'local'): ActorRef {
    return spawnWith({ thread }, Account).ref;
  }

  /** Exits before it replies: an exit signal to itself takes effect at once (this.stop() would reply first). */
  @handles('quit')
  quit(reason: unknown): void {
    exit(this.self, reason);
  }
}
