/** Actors for the start-up and call-timeout tests (top level of an importable module, as workers need). */
import { Actor, type ActorRef, handles } from '../../src/index.js';

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
