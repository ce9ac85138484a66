/** Actors for the start-up and call-timeout tests (top level of an importable module, as workers need). */
import {
  Actor,
  type ActorExitedError,
  type ActorRef,
  handles,
  spawn,
  spawnWith,
  started,
} from '../../src/index.js';

/** Answers a nap only after `ms` milliseconds. */
export class Sleeper extends Actor {
  @handles('nap') async nap(ms: number): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return 'rested';
  }
}

/** What happened to a call made from an actor, and how long it took. */
export interface Outcome {
  thread: number;
  ms: number;
  reply?: unknown;
  error?: string;
  timeout?: number;
}

/** Calls another actor with no per-call timeout: the runtime's callTimeout applies. */
export class Asker extends Actor {
  @handles('ask') async ask(to: ActorRef, ms: number): Promise<Outcome> {
    const t0 = Date.now();
    const thread = this.self.thread;
    try {
      const reply = await this.runtime.proxy(to, Sleeper).nap(ms);
      return { thread, ms: Date.now() - t0, reply };
    } catch (e) {
      const err = e as { name: string; timeout?: number };
      return { thread, ms: Date.now() - t0, error: err.name, timeout: err.timeout };
    }
  }
}

/** What spawning a class it was sent did, on the thread it runs on. */
export interface SpawnOutcome {
  /** The error spawn() threw (default placement: another thread), if any. */
  placed?: { name: string; message: string };
  /** What started() of a spawn on this thread rejected with: the error's name and its reason's. */
  local?: { name: string; reason: string; message: string };
}

/** Spawns a class it receives in a message: with default placement, and on its own thread. */
export class Spawner extends Actor {
  @handles('spawnIt') async spawnIt(cls: new () => Actor): Promise<SpawnOutcome> {
    const out: SpawnOutcome = {};
    try {
      spawn(cls);
    } catch (e) {
      out.placed = { name: (e as Error).name, message: (e as Error).message };
    }
    const here = spawnWith({ thread: 'local' }, cls);
    const err = (await started(here).catch((e: unknown) => e)) as ActorExitedError | undefined;
    if (err !== undefined) {
      const reason = err.reason as Error;
      out.local = { name: err.name, reason: reason.name, message: reason.message };
    }
    return out;
  }
}
