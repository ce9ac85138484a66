import { expect } from 'chai';
import {
  Actor,
  ActorExitedError,
  ActorProxy,
  CallTimeoutError,
  childSpec,
  exit,
  handles,
  InvalidArgumentError,
  InvalidOptionError,
  NoSuchActorError,
  Supervisor,
  WrongActorClassError,
} from '../../src/index.js';
import { addFn, Probe, stamp } from './actors.js';
import { onEveryController, settle } from './harness.js';
import { Account, Lobby, Looker, Room, VipRoom } from './typed-actors.js';

onEveryController('per-call options with proxy.with()', (h) => {
  it('times out a typed call made through proxy.with({ timeout }) with CallTimeoutError', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    const err = await p
      .with({ timeout: 20 })
      .never()
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CallTimeoutError);
    expect((err as CallTimeoutError).timeout).to.equal(20);
  });

  it('leaves the proxy it was made from on the default timeout', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    const short = p.with({ timeout: 20 });
    const timedOut = short.slow(200, 'late').catch((e: unknown) => e);
    const fine = p.slow(200, 'on time'); // queued behind the first: ~400 ms, far under the default
    expect(await timedOut).to.be.instanceOf(CallTimeoutError);
    expect(await fine).to.equal('on time');
    expect(await short.incr()).to.equal(1); // a short timeout is enough for a quick call
  });

  it('uses the with() timeout for call(tag) and invoke, and an explicit call option wins', async () => {
    const rt = h.runtime();
    // never() keeps its actor busy for good: each check gets an actor of its own.
    const err = await rt
      .spawnWith(h.on(1), Probe)
      .with({ timeout: 20 })
      .call('never')
      .catch((e: unknown) => e);
    expect((err as CallTimeoutError).timeout).to.equal(20);
    const short = rt.spawnWith(h.on(1), Probe).with({ timeout: 20 });
    expect(await short.call('slow', [100, 'waited'], undefined, { timeout: 10_000 })).to.equal('waited');
    const f = rt.spawnWith(h.on(2), addFn);
    expect(await f.with({ timeout: 10_000 }).invoke(2, 3)).to.equal(5);
  });

  it('keeps an earlier with() timeout when a later with() leaves it out', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    const err = await p
      .with({ timeout: 20 })
      .with({})
      .never()
      .catch((e: unknown) => e);
    expect((err as CallTimeoutError).timeout).to.equal(20);
  });

  it('rejects a with() call to an actor that has exited with NoSuchActorError', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    const short = p.with({ timeout: 1000 });
    await p.fail('bye').catch(() => undefined);
    await settle();
    const err = await short.get().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NoSuchActorError);
  });

  it('rejects a pending with() call with ActorExitedError when the actor exits', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    const pending = p
      .with({ timeout: 10_000 })
      .never()
      .catch((e: unknown) => e);
    exit(p, 'kill'); // whether the call is queued or taken, the caller learns that the actor exited
    const err = await pending;
    expect(err).to.be.instanceOf(ActorExitedError);
    expect((err as ActorExitedError).reason).to.equal('killed');
  });

  it('throws InvalidOptionError at once for with() options that are not call options', () => {
    h.local('the options are checked on the calling thread before anything is sent');
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    const bad: [unknown, RegExp][] = [
      [{ timeout: -1 }, /proxy\.with options\.timeout must not be negative \(got -1\)/],
      [{ timeout: '100' }, /proxy\.with options\.timeout must be a number of ms.*the string '100'/],
      [{ timeout: Number.NaN }, /proxy\.with options\.timeout .*NaN/],
      [{ timeout: null }, /proxy\.with options\.timeout must be a number of ms.*\(got null\)/],
      [{ timeout: 2 ** 31 }, /proxy\.with options\.timeout must be at most/],
      [{ timout: 5 }, /proxy\.with options\.timout is not an option \(known: timeout\)/],
      [null, /proxy\.with\(options\) needs an options object.*\(got null\)/],
      [5, /proxy\.with\(options\) needs an options object.*\(got number 5\)/],
      [undefined, /proxy\.with\(options\) needs an options object.*\(got undefined\)/],
    ];
    for (const [options, message] of bad) {
      expect(() => p.with(options as never), String(options)).to.throw(InvalidOptionError, message);
    }
    expect(() => p.with({ timeout: Number.POSITIVE_INFINITY })).to.not.throw();
  });

  it('still refuses bad options given to call() on a with() proxy, with InvalidOptionError', async () => {
    h.local('the options are checked on the calling thread before anything is sent');
    const rt = h.runtime();
    const short = rt.spawnWith(h.on(1), Probe).with({ timeout: 1000 });
    for (const options of [[], 5, { timeout: null }, { timeout: -1 }, { timout: 1 }]) {
      const err = await short.call('get', [], undefined, options as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(options)).to.be.instanceOf(InvalidOptionError);
    }
  });
});

onEveryController('whereis by class', (h) => {
  it('returns a proxy typed by the class from whereis(name, Class)', async () => {
    const rt = h.runtime();
    await rt.register('room', rt.spawnWith(h.on(1), Room));
    const room = await rt.whereis('room', Room);
    expect(room).to.not.equal(undefined);
    expect(await room!.post('hello')).to.equal(1);
  });

  it('accepts an actor of a subclass of the class', async () => {
    const rt = h.runtime();
    await rt.register('room', rt.spawnWith(h.on(1), VipRoom));
    const room = await rt.whereis('room', Room);
    expect(await room!.post('hello')).to.equal(1);
    expect(await (await rt.whereis('room', VipRoom))!.vip()).to.equal(true);
  });

  it('rejects whereis(name, Class) with WrongActorClassError when the actor is of another class', async () => {
    const rt = h.runtime();
    const lobby = rt.spawnWith(h.on(1), Lobby);
    await rt.register('room', lobby);
    const err = await rt.whereis('room', Room).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(WrongActorClassError);
    const e = err as WrongActorClassError;
    expect(e.code).to.equal('ERR_PARLEY_WRONG_ACTOR_CLASS');
    expect([e.registeredName, e.expected, e.actual]).to.deep.equal(['room', 'Room', 'Lobby']);
    expect(e.actor?.equals(lobby.ref)).to.equal(true);
    expect(e.message).to.match(
      /registered as 'room' is .* of class Lobby, not of class Room \(nor of a subclass/,
    );
  });

  it('checks the class from inside an actor on another thread, by the functional whereis', async () => {
    const rt = h.runtime();
    const looker = rt.spawnWith(h.on(2), Looker);
    await rt.register('room', rt.spawnWith(h.on(1), Room));
    expect(await looker.look('room')).to.deep.equal({ posted: 1 });
    await rt.register('lobby', rt.spawnWith(h.on(1), Lobby));
    expect(await looker.look('lobby')).to.deep.equal({
      code: 'ERR_PARLEY_WRONG_ACTOR_CLASS',
      expected: 'Room',
      actual: 'Lobby',
    });
    expect(await looker.look('nobody')).to.deep.equal({ missing: true });
    // The error keeps its class and fields when it crosses back to the caller.
    const err = await looker.lookOrCrash('lobby').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(WrongActorClassError);
    expect((err as WrongActorClassError).actual).to.equal('Lobby');
  });

  it('compares class names when the holder runs a class that cannot be imported where whereis runs', async () => {
    const rt = h.runtime();
    // Defined inside a function: not importable, so it stays on the main thread; a worker that looks it up
    // knows only the name its ref carries.
    class Hall extends Actor {
      @handles('echo')
      echo(x: unknown): unknown {
        return x;
      }
    }
    await rt.register('hall', rt.spawnWith({ thread: 'local' }, Hall));
    const looker = rt.spawnWith(h.on(1), Looker);
    expect(await looker.look('hall')).to.deep.equal({
      code: 'ERR_PARLEY_WRONG_ACTOR_CLASS',
      expected: 'Room',
      actual: 'Hall',
    });
    expect(await (await rt.whereis('hall', Hall))!.echo(7)).to.equal(7);
  });

  it('still returns an untyped proxy from whereis(name) without a class', async () => {
    const rt = h.runtime();
    await rt.register('lobby', rt.spawnWith(h.on(1), Lobby));
    const found = await rt.whereis('lobby');
    expect(await found!.call('enter')).to.equal('entered');
  });

  it('resolves undefined for a name nobody holds, class or not', async () => {
    h.local('no actor is involved');
    const rt = h.runtime();
    expect(await rt.whereis('nobody', Room)).to.equal(undefined);
  });

  it('rejects a class argument that is not a class, function or functionActor with InvalidArgumentError', async () => {
    h.local('the argument is checked before the lookup');
    const rt = h.runtime();
    for (const cls of [42, 'Room', {}, null]) {
      const err = await rt.whereis('room', cls as never).catch((e: unknown) => e);
      expect(err, String(cls)).to.be.instanceOf(InvalidArgumentError);
      expect((err as Error).message).to.match(/^whereis\(name, cls\): cls must be the actor's class/);
    }
  });

  it('rejects a class that does not extend Actor, Actor itself or a built-in function with InvalidArgumentError, whether the name is held or not', async () => {
    h.local('the argument is checked before the lookup');
    const rt = h.runtime();
    await rt.register('room', rt.spawn(Room));
    class NotAClass {}
    function* gen() {}
    const cases: [unknown, RegExp][] = [
      [NotAClass, /got the class NotAClass, which does not extend Actor/],
      [Map, /got the built-in function Map/],
      [Actor, /got Actor itself/],
      [gen, /got the generator function gen/],
    ];
    for (const name of ['room', 'nobody']) {
      for (const [cls, got] of cases) {
        const err = await rt.whereis(name, cls as never).then(
          (v) => v,
          (e: unknown) => e,
        );
        expect(err, `${name} ${String(cls)}`).to.be.instanceOf(InvalidArgumentError);
        expect((err as Error).message).to.match(/^whereis\(name, cls\): cls must be the actor's class/);
        expect((err as Error).message).to.match(got);
      }
    }
    // What may be spawned still types a lookup: an Actor subclass, a function, a functionActor.
    expect(await rt.whereis('nobody', stamp)).to.equal(undefined);
    expect(await rt.whereis('nobody', addFn)).to.equal(undefined);
    expect(await rt.whereis('room', Room)).to.be.instanceOf(ActorProxy);
  });
});

onEveryController('typed child specs', (h) => {
  it('starts a child from childSpec(Class, { args }) with its constructor arguments', async () => {
    const rt = h.runtime();
    const sup = rt.spawnWith(h.on(1), Supervisor, {
      children: [childSpec(Account, { args: [100], name: 'acct' }), childSpec(Room)],
    });
    expect((await sup.whichChildren()).map((c) => c.id)).to.deep.equal(['Account', 'Room']);
    const acct = await rt.whereis('acct', Account);
    expect(await acct!.getBalance()).to.equal(100);
  });
});
