import { expect } from 'chai';
import {
  type ActorRef,
  CallTimeoutError,
  exit,
  InvalidArgumentError,
  InvalidOptionError,
  link,
  monitor,
  NamedProxy,
  NameNotBoundError,
  type Runtime,
  register,
  Supervisor,
  send,
  sendAfter,
  started,
} from '../../src/index.js';
import { idle } from './actors.js';
import { exitOf, onEveryController, until } from './harness.js';
import { NamedCaller, Room } from './routing-actors.js';

/** Waits until `name` is registered to an actor other than `old` (a supervisor's restart re-registers it). */
async function reRegistered(rt: Runtime, name: string, old: ActorRef): Promise<ActorRef> {
  let now: ActorRef | undefined;
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    now = (await rt.whereis(name))?.ref;
    if (now !== undefined && !now.equals(old)) return now;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`'${name}' was not registered again`);
}

onEveryController('named proxies', (h) => {
  it('calls the holder of a name through typed methods, and keeps working after a supervised restart', async () => {
    const rt = h.runtime();
    const sup = rt.spawnWith(h.on(1), Supervisor, {
      intensity: 5,
      children: [{ id: 'room', actor: Room, name: 'room' }],
    });
    await sup.countChildren();
    const room = rt.named('room', Room);
    expect(room).to.be.instanceOf(NamedProxy);
    expect(await room.post('a')).to.equal(1);
    expect(await room.post('b')).to.equal(2);
    const first = (await room.resolve()).ref;

    const crash = await room.crash().catch((e: Error) => e);
    expect(crash).to.be.instanceOf(Error);
    expect((crash as Error).message).to.equal('room crashed');
    const second = await reRegistered(rt, 'room', first);

    // A cast first: it is not retried, so it reaches the new instance only if the proxy saw the old one exit.
    await room.cast('post', 'c');
    expect(await room.post('d')).to.equal(2); // the new instance, through the same proxy
    expect((await room.resolve()).ref.equals(second)).to.equal(true);
    expect(await room.call('post', ['e'])).to.equal(3);
    expect(await room.pending()).to.equal('pending'); // a handler named like the proxy's private state
  });

  it('follows a name from an actor on another thread across a restart of its holder', async () => {
    const rt = h.runtime();
    const sup = rt.spawnWith(h.on(2), Supervisor, {
      intensity: 5,
      children: [{ id: 'room', actor: Room, name: 'lobby' }],
    });
    await sup.countChildren();
    const caller = rt.spawnWith(h.on(1), NamedCaller);
    expect(await caller.postTo('lobby')).to.equal(1);
    expect(await caller.postTo('lobby')).to.equal(2); // the cached holder
    const first = (await rt.whereis('lobby'))!.ref;
    const gone = exitOf(rt, first);
    await rt
      .proxy(first, Room)
      .crash()
      .catch(() => undefined);
    await gone;
    await reRegistered(rt, 'lobby', first);
    expect(await caller.postTo('lobby')).to.equal(1); // the caller's proxy found the new holder
  });

  it('follows a name moved to a new actor after its holder exited, without a supervisor', async () => {
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), Room);
    await rt.register('solo', a);
    const solo = rt.named('solo', Room);
    await solo.post('x');
    await solo.post('y');
    const gone = exitOf(rt, a.ref);
    await a.crash().catch(() => undefined);
    await gone;
    const b = rt.spawnWith(h.on(2), Room);
    await rt.register('solo', b);
    expect(await solo.post('z')).to.equal(1);
    expect((await solo.where()).id).to.equal(b.ref.id);
  });

  it('rejects a call through a name nobody holds with NameNotBoundError, at once', async () => {
    const rt = h.runtime();
    const nobody = rt.named('nobody', Room);
    const err = await nobody.post('hi').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NameNotBoundError);
    expect(err).to.include({ code: 'ERR_PARLEY_NAME_NOT_BOUND', registeredName: 'nobody' });
    expect((err as Error).message).to.include("no actor is registered as 'nobody' (it may be restarting)");
    const byTag = await nobody.call('post', ['hi']).catch((e: unknown) => e);
    expect(byTag).to.be.instanceOf(NameNotBoundError);
    // From an actor on another thread: the same error, through the functional API.
    const caller = rt.spawnWith(h.on(1), NamedCaller);
    expect(await caller.postTo('nobody')).to.equal('ERR_PARLEY_NAME_NOT_BOUND');
  });

  it("rejects a cast's promise with NameNotBoundError for a name nobody holds; an unawaited one is only logged", async () => {
    const rt = h.runtime();
    const caller = rt.spawnWith(h.on(1), NamedCaller);
    expect(await caller.castTo('nobody')).to.equal('ERR_PARLEY_NAME_NOT_BOUND');
    const nobody = rt.named('nobody');
    const err = await nobody.cast('post', 'hi').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NameNotBoundError);
    void nobody.send('post', null, 'hi'); // not awaited: no unhandled rejection, a debug line
    await until(() => h.logger.debug.getCalls().some((c) => String(c.args[0]).includes("named('nobody')")));
    expect(h.logger.debug.getCalls().some((c) => String(c.args[0]).includes('not sent'))).to.equal(true);
  });

  it('delivers casts through a name in order, also while the name is being looked up', async () => {
    const rt = h.runtime();
    const r = rt.spawnWith(h.on(1), Room);
    await rt.register('ordered', r);
    const room = rt.named('ordered', Room);
    const sent = [room.cast('post', 1), room.cast('post', 2), room.send('post', null, 3)];
    await Promise.all(sent);
    expect(await room.post('last')).to.equal(4);
  });

  it('gives its calls a timeout with with({ timeout }), sharing the cached holder', async () => {
    const rt = h.runtime();
    const r = rt.spawnWith(h.on(1), Room);
    await rt.register('slow', r);
    const room = rt.named('slow', Room);
    const quick = room.with({ timeout: 100 });
    expect(await quick.post('a')).to.equal(1);
    const err = await quick.hang().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CallTimeoutError);
    expect(err).to.include({ timeout: 100 });
    expect(() => room.with({ timeout: -1 })).to.throw(InvalidOptionError, 'named(name).with options.timeout');
    expect(() => room.with({ wait: 1 } as never)).to.throw(InvalidOptionError, 'with options.wait');
    expect(() => room.with(null as never)).to.throw(InvalidOptionError, 'needs an options object');
    // An explicit call timeout wins over the proxy's.
    const longer = await quick.call('hang', [], undefined, { timeout: 150 }).catch((e: unknown) => e);
    expect(longer).to.include({ timeout: 150 });
  });

  it('refuses a name that is not a non-empty string, or a cls that is not an actor, with InvalidArgumentError', () => {
    h.local('argument checks happen at the caller, before any message');
    const rt = h.runtime();
    expect(() => rt.named('')).to.throw(InvalidArgumentError, 'non-empty string');
    expect(() => rt.named(42 as unknown as string)).to.throw(InvalidArgumentError, 'named(name, cls?)');
    expect(() => rt.named('x', {} as never)).to.throw(InvalidArgumentError, "cls must be the actor's class");
    expect(() => rt.named('x', idle as never)).to.throw(InvalidArgumentError);
    class NotAClass {}
    expect(() => rt.named('x', NotAClass as never)).to.throw(
      InvalidArgumentError,
      /cls must be the actor's class .*got the class NotAClass, which does not extend Actor/,
    );
    expect(() => rt.named('x', Map as never)).to.throw(InvalidArgumentError, 'got the built-in function Map');
    expect(() => rt.named('x', Room)).to.not.throw();
  });

  it('refuses a named proxy where one actor is expected with InvalidArgumentError saying to resolve() it', async () => {
    h.local('argument checks happen at the caller, before any message');
    const rt = h.runtime();
    const room = rt.named('room', Room);
    const bare = rt.named('lobby');
    const advice =
      /\(got a NamedProxy\); a named proxy follows a name, not one actor: pass `await proxy\.resolve\(\)`/;
    const failures = await rt.run(async () => {
      const out: Record<string, unknown> = {};
      const attempt = (label: string, f: () => unknown) => {
        try {
          out[label] = f();
        } catch (err) {
          out[label] = err;
        }
      };
      attempt('send', () => send(room as never, 'post', 'hi'));
      attempt('link', () => link(bare as never));
      attempt('monitor', () => monitor(room as never));
      attempt('exit', () => exit(room as never, 'kill'));
      attempt('sendAfter', () => sendAfter(10, room as never, 'post'));
      out.started = await started(room as never).catch((e: unknown) => e);
      out.register = await register('again', bare as never).catch((e: unknown) => e);
      return out;
    });
    failures['runtime.started'] = await rt.started(room as never).catch((e: unknown) => e);
    try {
      rt.sendAfter(10, bare as never, 'post');
    } catch (err) {
      failures['runtime.sendAfter'] = err;
    }
    for (const [label, err] of Object.entries(failures)) {
      expect(err, label).to.be.instanceOf(InvalidArgumentError);
      expect((err as Error).message, label).to.match(advice);
      expect((err as Error).message, label).to.not.include('a cls');
    }
    expect(Object.keys(failures)).to.have.length(9);
  });

  it('checks a call, cast or send through a name before looking the name up', async () => {
    h.local('argument checks happen at the caller, before any message');
    const rt = h.runtime();
    const nobody = rt.named('nobody');
    const bad = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await bad(nobody.call(42 as never))).to.be.instanceOf(InvalidArgumentError);
    expect(await bad(nobody.call('x', 'a' as never))).to.be.instanceOf(InvalidArgumentError);
    expect(await bad(nobody.call('x', [], [] as never))).to.be.instanceOf(InvalidArgumentError);
    expect(await bad(nobody.call('x', [], undefined, { timeout: -1 }))).to.be.instanceOf(InvalidOptionError);
    expect(await bad(nobody.call('x', [], undefined, { wait: 1 } as never))).to.be.instanceOf(
      InvalidOptionError,
    );
    expect(() => nobody.cast(42 as never)).to.throw(InvalidArgumentError);
    expect(() => nobody.send('x', 'me' as never)).to.throw(InvalidArgumentError);
  });
});
