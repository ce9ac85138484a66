/** Actors for the wire placement tests (top level of an importable module, as worker threads need). */
import { Actor, handles } from '../src/index.js';

/** Returns what it is given, so a value crosses both ways; `same` tells whether its two args are one object. */
export class Echo extends Actor {
  @handles('echo') echo<T>(v: T): T {
    return v;
  }

  @handles('same') same(a: unknown, b: unknown): boolean {
    return a === b;
  }

  /** Describes what arrived, as seen on the receiving side (before any trip back). */
  @handles('inspect') inspect(v: Record<string, unknown>): {
    proto: boolean;
    ownProto: boolean;
    isRef: boolean;
  } {
    return {
      proto: Object.getPrototypeOf(v) === Object.prototype,
      ownProto: Object.hasOwn(v, '__proto__'),
      isRef: v?.constructor?.name === 'ActorRef',
    };
  }
}
