/**
 * Type tests: compiled by `tsc` in `npm test` (never run). Each `@ts-expect-error` fails the build if the
 * line below it ever type-checks; the other lines fail it if they stop type-checking.
 */
import { Actor, type ActorProxy, functionActor, handles, type Runtime, spawn } from '../../src/index.js';

class Adder extends Actor {
  @handles('add')
  add(a: number, b: number): number {
    return a + b;
  }
  @handles('greet')
  async greet(name: string): Promise<string> {
    return `hi ${name}`;
  }
}

class Greeter extends Actor {
  constructor(readonly greeting: string) {
    super();
  }
}

export async function typeChecks(rt: Runtime): Promise<void> {
  const a = rt.spawn(Adder);
  const n: number = await a.add(1, 2);
  const s: string = await a.greet('ann'); // an async handler's result is unwrapped once
  const p: ActorProxy<Adder> = spawn(Adder);
  void [n, s, p];

  // @ts-expect-error: Adder has no method nope
  a.nope();
  // @ts-expect-error: add takes numbers
  a.add('1', 2);
  // @ts-expect-error: the result of a call is a promise, not a number
  const wrong: number = a.add(1, 2);
  void wrong;

  rt.spawn(Greeter, 'hello');
  // @ts-expect-error: Greeter's constructor needs a string
  rt.spawn(Greeter, 42);
  // @ts-expect-error: Actor base hooks are not proxy methods
  a.onStart();

  const f = rt.spawn(functionActor((x: number, y: number) => x * y));
  const m: number = await f.invoke(2, 3);
  // @ts-expect-error: invoke takes numbers
  f.invoke('2', 3);
  void m;

  const loop = rt.spawn(async (start: number) => start, 1);
  // @ts-expect-error: a function actor's args are checked
  rt.spawn(async (start: number) => start, 'one');
  const ref = loop.ref;
  void ref;
}
