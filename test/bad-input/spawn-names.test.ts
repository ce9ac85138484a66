/**
 * Bad input at spawn, spawnWith, the name functions and proxies (issue 10): each mistake gets a named error
 * at the call, in one shape per entry point (sync APIs throw, async APIs reject), and nothing is started.
 * Placement-dependent cases (from worker threads, copies) are in test/conformance/bad-input-spawn-names.test.ts.
 */
import { expect } from 'chai';
import {
  ActorProxy,
  ActorRef,
  functionActor,
  InvalidArgumentError,
  InvalidOptionError,
  NoRuntimeError,
  NotAnActorError,
  NotCloneableError,
  Runtime,
  register,
  type SpawnOptions,
  spawnWith,
  TaskletController,
  ThreadController,
  unregister,
  whereis,
} from '../../src/index.js';
import { Blocker, GARBAGE_NAMES, NOT_ACTORS, outcome, Pinger } from './spawn-names-actors.js';

describe('bad input: spawnWith options', () => {
  let rt: Runtime;
  beforeEach(() => {
    rt = new Runtime({ controller: new TaskletController() });
  });
  afterEach(() => rt.shutdown());

  const bad: [string, unknown, RegExp][] = [
    ['null', null, /options must be an object such as \{ thread: 'own' \}.*\(got null\).*use spawn\(target/],
    ['undefined', undefined, /options must be an object.*\(got undefined\)/],
    ['a number', 42, /options must be an object.*\(got number 42\)/],
    ['a string', 'own', /options must be an object.*\(got the string 'own'\)/],
    ['an array', [], /options must be an object.*\(got an array\)/],
    [
      'an unknown key',
      { thraed: 'own' },
      /options\.thraed is not a spawn option \(known: thread, link, node\)/,
    ],
    ['node not a string', { node: 42 }, /options\.node must be the name of a node of the cluster/],
    [
      'node outside a cluster',
      { node: 'web-2' },
      /options\.node \('web-2', for Pinger\): this runtime is not in a cluster/,
    ],
    [
      'node and thread together',
      { node: 'web-2', thread: 1 },
      /options\.node and options\.thread cannot be combined/,
    ],
    ['an inherited unknown key', Object.create({ place: 'b' }), /options\.place is not a spawn option/],
    [
      "thread 'bogus'",
      { thread: 'bogus' },
      /options\.thread must be 'local' .*, 'own' .* or the number of a live worker thread \(got the string 'bogus'\)/,
    ],
    ["thread '1' (a numeric string)", { thread: '1' }, /options\.thread must be .*\(got the string '1'\)/],
    ['thread -1', { thread: -1 }, /options\.thread must be .*\(got number -1\)/],
    ['thread 1.5', { thread: 1.5 }, /options\.thread must be .*\(got number 1\.5\)/],
    ['thread NaN', { thread: Number.NaN }, /options\.thread must be .*\(got number NaN\)/],
    ['thread null', { thread: null }, /options\.thread must be .*\(got null\)/],
    [
      'thread 7 (no such thread)',
      { thread: 7 },
      /options\.thread must be a live worker thread \(none\), 'local' or 'own'/,
    ],
    [
      "link 'yes'",
      { link: 'yes' },
      /options\.link must be true \(link the new actor to the current one, as spawnLink\) or false \(got the string 'yes'\)/,
    ],
    ['link 1', { link: 1 }, /options\.link must be true .* or false \(got number 1\)/],
    ['link null', { link: null }, /options\.link must be .*\(got null\)/],
    [
      'link true outside an actor',
      { link: true },
      /options\.link: true links the new actor to the current actor, and there is none here/,
    ],
  ];

  it('refuses every bad option with InvalidOptionError naming it and its valid values, starting nothing', () => {
    for (const [what, options, message] of bad) {
      expect(() => rt.spawnWith(options as SpawnOptions, Pinger), what).to.throw(InvalidOptionError, message);
    }
    expect(rt.stats().actors).to.equal(0);
  });

  it('refuses the same options through the functional spawnWith inside an actor, and accepts the valid ones', async () => {
    const rows = await rt.run(async () => {
      const out: [string, string | undefined][] = [];
      for (const [what, options] of bad) {
        if (what === 'link true outside an actor') continue; // inside an actor it links
        const o = await outcome(() => spawnWith(options as SpawnOptions, Pinger));
        out.push([what, o.shape === 'threw' ? o.error : o.shape]);
      }
      const good: SpawnOptions[] = [
        {},
        { thread: 'local' },
        { thread: 0 },
        { link: false },
        { link: true },
        { thread: undefined, link: undefined },
      ];
      for (const options of good) {
        out.push([JSON.stringify(options), await spawnWith(options, Pinger).ping()]);
      }
      return out;
    });
    for (const [what, got] of rows) {
      expect(got, what).to.equal(what.startsWith('{') ? 'pong' : 'InvalidOptionError');
    }
  });
});

describe('bad input: spawn targets', () => {
  let rt: Runtime;
  beforeEach(() => {
    rt = new Runtime({ controller: new TaskletController() });
  });
  afterEach(() => rt.shutdown());

  it('refuses built-in, bound, generator and Proxy-wrapped functions with NotAnActorError saying what to pass, and accepts ordinary functions', async () => {
    const bad: [string, unknown, RegExp][] = [
      [
        'Map',
        Map,
        /built-in function Map, which is not an actor: pass an Actor subclass, a function of your own/,
      ],
      ['Promise', Promise, /built-in function Promise/],
      ['Math.max', Math.max, /built-in function max/],
      [
        'a bound Actor class',
        Pinger.bind(null),
        /bound function \(bound Pinger\): pass Pinger itself .*spawn\(Pinger, \.\.\.args\)/,
      ],
      ['a bound arrow function', ((n: number) => n).bind(null, 1), /bound function/],
      ['a generator function', function* gen() {}, /gen is a generator function: .*its body would never run/],
      ['an async generator function', async function* agen() {}, /agen is a generator function/],
      [
        'a Proxy around a function',
        new Proxy(async () => {}, {}),
        /a Proxy around a function: pass .* itself/,
      ],
      ['an object', {}, /needs an Actor subclass, a function or functionActor\(fn\) \(got an object/],
      ['an instance', new Map(), /\(got a Map\)/],
    ];
    for (const [what, target, message] of bad) {
      expect(() => rt.spawn(target as never), what).to.throw(NotAnActorError, message);
    }
    expect(rt.stats().actors, 'nothing was started').to.equal(0);
    // Ordinary functions are function actors: arrow, async, method shorthand (no prototype), named.
    const obj = {
      method() {
        return 'method';
      },
    };
    const good: [string, unknown][] = [
      ['an arrow function', () => 'arrow'],
      ['an async arrow function', async () => 'async'],
      ['a method', obj.method],
      ['a function', function named() {}],
      ['a functionActor', functionActor(function fa() {})],
    ];
    for (const [what, target] of good) expect(() => rt.spawn(target as never), what).to.not.throw();
  });
});

describe('bad input: names', () => {
  let rt: Runtime;
  beforeEach(() => {
    rt = new Runtime({ controller: new TaskletController() });
  });
  afterEach(() => rt.shutdown());

  it("rejects a bad name in the runtime's register, whereis and unregister with InvalidArgumentError", async () => {
    const a = rt.spawn(Pinger);
    const calls: [string, (n: unknown) => unknown][] = [
      ['register(name, actor)', (n) => rt.register(n as string, a)],
      ['whereis(name)', (n) => rt.whereis(n as string)],
      ['unregister(name)', (n) => rt.unregister(n as string)],
    ];
    for (const [call, f] of calls) {
      for (const [label, name] of GARBAGE_NAMES) {
        const o = await outcome(() => f(name));
        expect(o.shape, `${call} with ${label}`).to.equal('rejected');
        expect(o.error, `${call} with ${label}`).to.equal('InvalidArgumentError');
        expect(o.message, `${call} with ${label}`).to.match(
          new RegExp(
            `^${call.replace(/[()]/g, '\\$&')}: the name must be a non-empty string, such as 'db' \\(got `,
          ),
        );
      }
    }
    expect(rt.stats().names).to.equal(0);
  });

  it('rejects runtime.register of something that is not an actor with InvalidArgumentError', async () => {
    for (const [label, actor] of [...NOT_ACTORS, ['undefined', undefined] as [string, unknown]]) {
      const o = await outcome(() => rt.register('n', actor as never));
      expect(o.shape, label).to.equal('rejected');
      expect(o.error, label).to.equal('InvalidArgumentError');
      expect(o.message, label).to.include(
        'register(name, actor): the actor must be an ActorProxy or an ActorRef',
      );
    }
    expect(await rt.whereis('n')).to.equal(undefined);
  });

  it('rejects, never throws, every mistake of the functional register, whereis and unregister at top level', async () => {
    // No default runtime here: a good name meets NoRuntimeError, a bad one InvalidArgumentError; both reject.
    const cases: [string, () => unknown, Function, RegExp][] = [
      [
        "register('x')",
        () => register('x'),
        NoRuntimeError,
        /register\(\) at top level needs a default runtime/,
      ],
      ["register('x', {})", () => register('x', {} as never), NoRuntimeError, /default runtime/],
      [
        'register(42)',
        () => register(42 as never),
        InvalidArgumentError,
        /register\(name, actor\): the name must/,
      ],
      ["whereis('x')", () => whereis('x'), NoRuntimeError, /whereis\(\) at top level/],
      [
        'whereis(Symbol())',
        () => whereis(Symbol('x') as never),
        InvalidArgumentError,
        /whereis\(name\).*a symbol/,
      ],
      ["unregister('x')", () => unregister('x'), NoRuntimeError, /unregister\(\) at top level/],
      ["unregister('')", () => unregister(''), InvalidArgumentError, /unregister\(name\).*an empty string/],
    ];
    for (const [what, f, cls, message] of cases) {
      let promise: unknown;
      expect(() => {
        promise = f();
      }, what).to.not.throw();
      expect(promise, what).to.be.instanceOf(Promise);
      const err = await (promise as Promise<unknown>).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).to.be.instanceOf(cls);
      expect((err as Error).message, what).to.match(message);
    }
  });

  it('rejects, never throws, register() of something that is not an actor inside an actor', async () => {
    const rows = await rt.run(async () => {
      const out: [string, string, string][] = [];
      for (const [label, actor] of NOT_ACTORS) {
        let thrown = false;
        let p: Promise<void> | undefined;
        try {
          p = register('n', actor as never);
        } catch {
          thrown = true;
        }
        const o = await outcome(() => p);
        out.push([label, thrown ? 'threw' : o.shape, String(o.error)]);
      }
      return out;
    });
    for (const [label, shape, error] of rows) {
      expect([shape, error], label).to.deep.equal(['rejected', 'InvalidArgumentError']);
    }
  });
});

describe('bad input: proxies', () => {
  it('refuses an ActorProxy over anything but a ref bound to a runtime with InvalidArgumentError', async () => {
    const rt = new Runtime({ controller: new TaskletController() });
    try {
      const a = rt.spawn(Pinger);
      const cases: [string, () => unknown, RegExp][] = [
        [
          'new ActorProxy({})',
          () => new ActorProxy({} as never),
          /ActorProxy needs an ActorRef bound to a runtime \(got an object/,
        ],
        ['new ActorProxy(undefined)', () => new ActorProxy(undefined as never), /\(got undefined\)/],
        [
          'new ActorProxy(ref-shaped JSON)',
          () => new ActorProxy(JSON.parse(JSON.stringify(a.ref))),
          /\(got an object/,
        ],
        [
          'new ActorProxy(unbound ref)',
          () => new ActorProxy(new ActorRef(1, 0, 'x', undefined as never)),
          /the ActorRef <x#1>, which is bound to no runtime/,
        ],
        [
          'runtime.proxy(undefined)',
          () => rt.proxy(undefined as never),
          /runtime\.proxy\(ref, cls\?\): ref must be an ActorRef .*\(got undefined\)/,
        ],
        ['runtime.proxy({})', () => rt.proxy({} as never), /ref must be an ActorRef/],
        ['runtime.proxy(a proxy)', () => rt.proxy(a as never), /ref must be an ActorRef .*\(got a /],
        [
          'runtime.proxy(ref, 42)',
          () => rt.proxy(a.ref, 42),
          /cls must be the actor's class or functionActor.*\(got number 42\)/,
        ],
      ];
      for (const [what, f, message] of cases) expect(f, what).to.throw(InvalidArgumentError, message);
      // What is right still works.
      expect(await rt.proxy(a.ref, Pinger).ping()).to.equal('pong');
      expect(await new ActorProxy(a.ref).call('ping')).to.equal('pong');
    } finally {
      await rt.shutdown();
    }
  });
});

describe('bad input: copies when a lane is backed up', () => {
  it('refuses a message that cannot be copied at the send even while earlier messages wait for room', async function () {
    this.timeout(120_000);
    const rt = new Runtime({ controller: new ThreadController({ threads: 1 }), callTimeout: 60_000 });
    try {
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const b = rt.spawn(Blocker);
      expect(b.ref.thread).to.equal(1);
      expect(await b.count()).to.equal(0); // started on its worker thread
      b.cast('block', flag);
      while (Atomics.load(flag, 0) !== 1) await new Promise((r) => setImmediate(r));
      // The worker reads nothing now: these fill the lane (~4,700 records), the rest wait in a backlog.
      const n = 20_000;
      for (let i = 0; i < n; i++) b.cast('tick', i);
      let err: unknown;
      try {
        b.cast('tick', () => 'a function');
      } catch (e) {
        err = e;
      }
      Atomics.store(flag, 0, 2);
      expect(err).to.be.instanceOf(NotCloneableError);
      expect((err as NotCloneableError).path).to.equal('args[0]');
      expect(await b.count()).to.equal(n);
    } finally {
      await rt.shutdown();
    }
  });
});
