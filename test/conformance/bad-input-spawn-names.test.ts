/**
 * Bad input whose answer depends on placement (issue 10): names used from an actor on a worker thread (which
 * asks the main thread's directory), spawn options and targets from there, and values that cannot be copied
 * in results, args and exit reasons, on every controller.
 */
import { expect } from 'chai';
import { ActorProxy, InvalidArgumentError, NotCloneableError } from '../../src/index.js';
import { downWatcher, hostileProxy, Mistaken, type Outcome } from '../bad-input/spawn-names-actors.js';
import { onEveryController } from './harness.js';

/** What `f` threw or rejected with (undefined if it did neither): sync and async failures alike. */
async function failure(f: () => unknown): Promise<any> {
  try {
    await f();
    return undefined;
  } catch (e) {
    return e;
  }
}

onEveryController('bad input: names, spawns and copies', (h) => {
  it('rejects every name that is not a non-empty string with InvalidArgumentError, from an actor', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const rows = await rt.spawnWith(h.on(1), Mistaken).badNames();
    expect(rows).to.have.length.greaterThan(60);
    for (const [call, label, o] of rows) {
      const what = `${call} with ${label}`;
      expect(o.shape, what).to.equal('rejected');
      expect(o.error, what).to.equal('InvalidArgumentError');
      expect(o.code, what).to.equal('ERR_PARLEY_INVALID_ARGUMENT');
      const fn = call.replace('runtime.', '').split('(')[0];
      expect(o.message, what).to.include(`${fn}(name`).and.include('non-empty string');
    }
  });

  it('rejects register() of something that is not an actor with InvalidArgumentError, from an actor', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const rows = await rt.spawnWith(h.on(1), Mistaken).badActors();
    for (const [call, label, o] of rows) {
      const what = `${call} of ${label}`;
      expect(o.shape, what).to.equal('rejected');
      expect(o.error, what).to.equal('InvalidArgumentError');
      expect(o.message, what).to.include('must be an ActorProxy or an ActorRef');
    }
    expect(await rt.whereis('n')).to.equal(undefined);
  });

  it("spawns with { thread: 'own' } from an actor on the main thread, and refuses it by name on a worker", async function () {
    this.timeout(60_000);
    const rt = h.runtime({ callTimeout: 60_000 });
    const r = await rt.spawnWith(h.on(1), Mistaken).spawnOwn();
    if (r.self === 0) {
      expect(r.error).to.equal(undefined);
      expect(r.pong).to.equal('pong');
      expect(r.thread).to.be.greaterThan(0);
    } else {
      const o = r.error as Outcome;
      expect(o.error).to.equal('InvalidOptionError');
      expect(o.message)
        .to.include("options.thread 'own'")
        .and.include('main thread only')
        .and.include(`worker thread ${r.self}`)
        .and.include('{ thread: n }');
    }
  });

  it('refuses spawn targets and spawn options that are not valid at the spawn, from an actor', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const rows = await rt.spawnWith(h.on(1), Mistaken).badSpawns();
    const expected: Record<string, [string, RegExp]> = {
      'spawn(Map)': ['NotAnActorError', /built-in function Map/],
      'spawnLink(bound class)': [
        'NotAnActorError',
        /bound function \(bound Pinger\).*spawn\(Pinger, \.\.\.args\)/,
      ],
      'spawnMonitor(generator)': ['NotAnActorError', /generator function/],
      'spawnWith(null, Pinger)': ['InvalidOptionError', /options must be an object.*got null/],
      "spawnWith({ thread: 'bogus' })": [
        'InvalidOptionError',
        /options\.thread must be 'local'.*'own'.*got the string 'bogus'/,
      ],
      "spawnWith({ link: 'yes' })": [
        'InvalidOptionError',
        /options\.link must be true.*or false.*got the string 'yes'/,
      ],
    };
    expect(rows.map(([c]) => c)).to.deep.equal(Object.keys(expected));
    for (const [call, o] of rows) {
      expect(o.shape, call).to.equal('threw');
      expect(o.error, call).to.equal(expected[call]![0]);
      expect(o.message, call).to.match(expected[call]![1]);
    }
  });

  it('refuses a proxy over what is not an actor ref with InvalidArgumentError, from an actor', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const rows = await rt.spawnWith(h.on(1), Mistaken).badProxies();
    for (const [call, o] of rows) {
      expect(o.shape, call).to.equal('threw');
      expect(o.error, call).to.equal('InvalidArgumentError');
      expect(o.message, call).to.match(/ActorRef/);
    }
  });

  it('rejects a call whose result cannot be copied with NotCloneableError at once, and the actor runs on', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), Mistaken);
    if (!h.controller.copies) {
      h.local('results are passed by reference: nothing is copied on this controller');
      expect(((await a.getterResult()) as { ok: number }).ok).to.equal(1);
      return;
    }
    for (const call of [() => a.getterResult(), () => a.getterResultAsync()]) {
      const err = await failure(call);
      expect(err).to.be.instanceOf(NotCloneableError);
      expect(err.path).to.equal('reply.boom');
      expect(err.cause).to.be.instanceOf(Error);
      expect(err.cause.message).to.equal('user getter');
    }
    const err = await failure(() => a.proxyResult());
    expect(err).to.be.instanceOf(NotCloneableError);
    expect(err.path).to.equal('reply');
    expect(err.message).to.include('Proxy');
    expect(await a.ping()).to.equal('pong');
  });

  it("refuses args and kwargs whose reading throws with NotCloneableError naming the path, the user's error as cause", async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), Mistaken);
    expect(await a.ping()).to.equal('pong');
    if (!h.controller.copies) {
      h.local('messages are passed by reference: nothing is copied on this controller');
      return;
    }
    const indexGetter: unknown[] = [];
    Object.defineProperty(indexGetter, 0, {
      enumerable: true,
      get() {
        throw new Error('index getter');
      },
    });
    const cases: [string, () => unknown, string, string | undefined][] = [
      [
        'cast with a getter in an arg',
        () =>
          a.cast('ping', {
            get boom() {
              throw new Error('user getter');
            },
          }),
        'args[0].boom',
        'user getter',
      ],
      ['call with a getter on an args index', () => a.call('ping', indexGetter), 'args[0]', 'index getter'],
      [
        'send with a getter on an args index',
        () => a.ref.sendWith('ping', null, indexGetter, {}),
        'args[0]',
        'index getter',
      ],
      [
        'call with a Proxy in an arg',
        () => a.call('ping', [{ inner: new Proxy({}, {}) }]),
        'args[0].inner',
        undefined,
      ],
    ];
    for (const [what, f, path, cause] of cases) {
      const err = await failure(f);
      expect(err, what).to.be.instanceOf(NotCloneableError);
      expect(err.path, what).to.equal(path);
      if (cause !== undefined) expect(err.cause?.message, what).to.equal(cause);
    }
    // Args that are a Proxy (not an array) are the caller's mistake, named before anything is read.
    const notArray = await failure(() => a.call('ping', hostileProxy() as unknown[]));
    expect(notArray).to.be.instanceOf(InvalidArgumentError);
    expect(notArray.message).to.match(/args must be an array .*cannot be read/);
    const notPlain = await failure(() => a.call('ping', [1], hostileProxy() as never));
    expect(notPlain).to.be.instanceOf(InvalidArgumentError);
    expect(notPlain.message).to.match(/kwargs .*cannot be read/);
    expect(await a.ping()).to.equal('pong');
  });

  it('lets an actor whose exit reason is a Proxy with throwing traps die, with a DOWN, leaving nothing', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const crashing = rt.spawnWith(h.on(1), Mistaken);
    const killer = rt.spawnWith(h.on(0), Mistaken); // on the watchers' thread: its exit follows their monitors
    const killed = rt.spawnWith(h.on(2), Mistaken);
    // All started, and watched, before anything dies (signals from different threads have no order).
    await Promise.all([crashing.ping(), killer.ping(), killed.ping()]);
    const watchers = [crashing, killed].map(() => rt.spawn(downWatcher));
    await watchers[0]!.call('watch', [crashing.ref]);
    await watchers[1]!.call('watch', [killed.ref]);
    // (On one thread the caller is rejected with the Proxy itself: it must not be awaited.)
    await crashing.crashWithProxy().then(
      () => expect.fail('crashWithProxy resolved'),
      () => undefined,
    );
    await killer.exitWithProxy(killed.ref);
    for (const w of watchers) {
      const reason = await w.call<{ kind: string; message?: string }>('reason', [], undefined, {
        timeout: 60_000,
      });
      if (h.controller.copies) {
        // Reduced to a cloneable Error as it crossed the copy.
        expect(reason.kind, JSON.stringify(reason)).to.equal('error');
        expect(reason.message).to.include('[reduced');
      } else expect(reason.kind).to.equal('unreadable'); // the Proxy itself, by reference
    }
    // The runtime is whole: it spawns, calls and (in afterEach) shuts down to nothing.
    expect(await rt.spawnWith(h.on(1), Mistaken).ping()).to.equal('pong');
    expect(new ActorProxy(crashing.ref).ref.equals(crashing.ref)).to.equal(true);
  });
});
