/**
 * Actors and tables for the bad-input tests of spawn, spawnWith, names, proxies and copies. They live at the
 * top level of this side-effect-free module so that worker threads can import them.
 */
import {
  Actor,
  ActorProxy,
  ActorRef,
  exit,
  handles,
  type Message,
  me,
  monitor,
  recv,
  register,
  spawn,
  spawnLink,
  spawnMonitor,
  spawnWith,
  unregister,
  whereis,
} from '../../src/index.js';

/** What calling an entry point did: its shape (threw, rejected, resolved, returned) and the error, if any. */
export interface Outcome {
  shape: 'threw' | 'rejected' | 'resolved' | 'returned';
  error?: string;
  code?: string;
  message?: string;
}

function errorFields(e: unknown): Omit<Outcome, 'shape'> {
  const err = e as { name?: unknown; code?: unknown; message?: unknown };
  return { error: String(err?.name), code: String(err?.code), message: String(err?.message) };
}

/** Runs `f` and says what it did; a promise is awaited. */
export async function outcome(f: () => unknown): Promise<Outcome> {
  let r: unknown;
  try {
    r = f();
  } catch (e) {
    return { shape: 'threw', ...errorFields(e) };
  }
  if (!(r instanceof Promise)) return { shape: 'returned' };
  try {
    await r;
    return { shape: 'resolved' };
  } catch (e) {
    return { shape: 'rejected', ...errorFields(e) };
  }
}

/** Names that are not names: each must be refused with InvalidArgumentError. */
export const GARBAGE_NAMES: [label: string, value: unknown][] = [
  ['a number', 42],
  ['NaN', Number.NaN],
  ['an object', { name: 'db' }],
  ['an array', ['db']],
  ['a symbol', Symbol('db')],
  ['a function', () => 'db'],
  ['an empty string', ''],
  ['null', null],
  ['undefined', undefined],
  ['a boolean', true],
];

/** Things that are not actors, for register's actor argument. */
export const NOT_ACTORS: [label: string, value: unknown][] = [
  ['an object', {}],
  ['a number', 42],
  ['a string', 'db'],
  ['null', null],
  ['a plain ref-shaped object', { id: 1, thread: 0, name: 'x' }],
];

/** Every way to use a name, through the functional API and the runtime's methods. */
export function nameCalls(rt: {
  register(n: string, a: unknown): Promise<void>;
  whereis(n: string): Promise<unknown>;
  unregister(n: string): Promise<boolean>;
}): [label: string, call: (name: unknown) => unknown][] {
  return [
    ['register(name)', (n) => register(n as string)],
    ['register(name, actor)', (n) => register(n as string, me())],
    ['whereis(name)', (n) => whereis(n as string)],
    ['unregister(name)', (n) => unregister(n as string)],
    ['runtime.register(name, actor)', (n) => rt.register(n as string, me())],
    ['runtime.whereis(name)', (n) => rt.whereis(n as string)],
    ['runtime.unregister(name)', (n) => rt.unregister(n as string)],
  ];
}

export class Pinger extends Actor {
  @handles('ping')
  ping(): string {
    return 'pong';
  }

  @handles('where')
  where(): number {
    return this.self.thread;
  }
}

/** Counts ticks; `block` keeps its worker thread busy (reading no lane) until the flag is set to 2. */
export class Blocker extends Actor {
  private ticks = 0;

  @handles('block')
  block(flag: Int32Array): void {
    Atomics.store(flag, 0, 1);
    while (Atomics.load(flag, 0) !== 2) {
      // busy: this thread reads nothing meanwhile
    }
  }

  @handles('tick')
  tick(): void {
    this.ticks++;
  }

  @handles('count')
  count(): number {
    return this.ticks;
  }
}

/** Makes mistakes from inside an actor (wherever it runs) and reports what each did. */
export class Mistaken extends Actor {
  /** Every garbage name through every name function: `[call, name label, outcome]`. */
  @handles('badNames')
  async badNames(): Promise<[string, string, Outcome][]> {
    const out: [string, string, Outcome][] = [];
    for (const [call, f] of nameCalls(this.runtime as never)) {
      for (const [label, name] of GARBAGE_NAMES) out.push([call, label, await outcome(() => f(name))]);
    }
    return out;
  }

  /** register(name, garbage) through both APIs: `[call, label, outcome]`. */
  @handles('badActors')
  async badActors(): Promise<[string, string, Outcome][]> {
    const out: [string, string, Outcome][] = [];
    for (const [label, actor] of NOT_ACTORS) {
      out.push(['register', label, await outcome(() => register('n', actor as never))]);
      out.push(['runtime.register', label, await outcome(() => this.runtime.register('n', actor as never))]);
    }
    return out;
  }

  /** spawnWith({ thread: 'own' }) from here: the new actor's thread and answer, or the error. */
  @handles('spawnOwn')
  async spawnOwn(): Promise<{ self: number; thread?: number; pong?: string; error?: Outcome }> {
    const self = this.self.thread;
    try {
      const p = spawnWith({ thread: 'own' }, Pinger);
      return { self, thread: await p.where(), pong: await p.ping() };
    } catch (e) {
      return { self, error: await outcome(() => Promise.reject(e)) };
    }
  }

  /** Spawn mistakes from inside an actor, through spawn, spawnLink, spawnMonitor and spawnWith. */
  @handles('badSpawns')
  async badSpawns(): Promise<[string, Outcome][]> {
    const bound = Pinger.bind(null);
    return [
      ['spawn(Map)', await outcome(() => spawn(Map as never))],
      ['spawnLink(bound class)', await outcome(() => spawnLink(bound as never))],
      ['spawnMonitor(generator)', await outcome(() => spawnMonitor(function* gen() {} as never))],
      ['spawnWith(null, Pinger)', await outcome(() => spawnWith(null as never, Pinger))],
      [
        "spawnWith({ thread: 'bogus' })",
        await outcome(() => spawnWith({ thread: 'bogus' } as never, Pinger)),
      ],
      ["spawnWith({ link: 'yes' })", await outcome(() => spawnWith({ link: 'yes' } as never, Pinger))],
    ];
  }

  /** Proxies over things that are not refs, from inside an actor. */
  @handles('badProxies')
  async badProxies(): Promise<[string, Outcome][]> {
    return [
      ['runtime.proxy(undefined)', await outcome(() => this.runtime.proxy(undefined as never))],
      ['runtime.proxy({})', await outcome(() => this.runtime.proxy({} as never))],
      ['new ActorProxy({})', await outcome(() => new ActorProxy({} as never))],
      [
        'new ActorProxy(unbound ref)',
        await outcome(() => new ActorProxy(new ActorRef(1, 0, 'x', undefined as never))),
      ],
    ];
  }

  /** A result whose getter throws: it cannot be copied back to the caller. */
  @handles('getterResult')
  getterResult(): unknown {
    return {
      ok: 1,
      get boom(): never {
        throw new Error('user getter');
      },
    };
  }

  /** A result that is a Proxy: it cannot be copied back to the caller. */
  @handles('proxyResult')
  proxyResult(): unknown {
    return new Proxy({ ok: 1 }, {});
  }

  /** An async handler's result whose getter throws. */
  @handles('getterResultAsync')
  async getterResultAsync(): Promise<unknown> {
    await null;
    return this.getterResult();
  }

  /** Crashes with a Proxy whose every trap throws. */
  @handles('crashWithProxy')
  crashWithProxy(): never {
    throw hostileProxy();
  }

  /** Sends `ref` the exit signal of a Proxy whose every trap throws. */
  @handles('exitWithProxy')
  exitWithProxy(ref: ActorRef): void {
    exit(ref, hostileProxy());
  }

  @handles('ping')
  ping(): string {
    return 'pong';
  }
}

/**
 * A function actor that watches one actor: `call('watch', [ref])` resolves once it monitors it; then
 * `call('reason')` resolves, once it is DOWN, with a description of its reason that is safe to carry
 * whatever the reason is (a Proxy whose traps throw cannot even be awaited).
 */
export async function downWatcher(): Promise<void> {
  const [, asker, [target]] = await recv('watch');
  const mref = monitor(target as ActorRef);
  asker?.send('reply', me(), 'watching');
  const [, , [reason]] = await recv((m: Message) => m[0] === 'DOWN' && m[2][1] === mref);
  let description: { kind: string; message?: string };
  try {
    description =
      reason instanceof Error
        ? { kind: 'error', message: reason.message }
        : { kind: typeof reason, message: typeof reason === 'string' ? reason : undefined };
  } catch {
    description = { kind: 'unreadable' };
  }
  const [, sender] = await recv('reason');
  sender?.send('reply', me(), description);
}

/** A Proxy whose every trap throws: even `instanceof` or `in` on it throws. */
export function hostileProxy(): object {
  const trap = () => {
    throw new Error('hostile trap');
  };
  return new Proxy(
    {},
    { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap },
  );
}
