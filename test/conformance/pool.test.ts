import { expect } from 'chai';
import {
  type ActorRef,
  CallTimeoutError,
  ChildStartError,
  InvalidArgumentError,
  InvalidOptionError,
  link,
  NoSuchActorError,
  NotAnActorError,
  PoolProxy,
  pool,
} from '../../src/index.js';
import { Adder, FailingConstructor, idle } from './actors.js';
import { exitOf, onEveryController } from './harness.js';
import { Gate, Member, triple } from './routing-actors.js';

onEveryController('pools', (h) => {
  it('refuses a pool proxy where one actor is expected with InvalidArgumentError naming pool.ref and members()', async () => {
    const rt = h.runtime();
    const p = await rt.pool(Member, { size: 1 }, 'one');
    const advice =
      /\(got a PoolProxy\); a pool proxy stands for all its members: pass `pool\.ref` .* `await pool\.members\(\)`/;
    const failures: Record<string, unknown> = {};
    failures.started = await rt.started(p as never).catch((e: unknown) => e);
    failures.register = await rt.register('pool', p as never).catch((e: unknown) => e);
    try {
      rt.sendAfter(10, p as never, 'whoami');
    } catch (err) {
      failures.sendAfter = err;
    }
    failures.link = await rt.run(async () => {
      try {
        link(p as never);
      } catch (err) {
        return err;
      }
    });
    for (const [label, err] of Object.entries(failures)) {
      expect(err, label).to.be.instanceOf(InvalidArgumentError);
      expect((err as Error).message, label).to.match(advice);
    }
    await p.stop();
  });

  it('spreads calls round robin over all members, spread over the worker threads', async () => {
    const rt = h.runtime();
    const p = await rt.pool(Member, { size: 4 }, 'm');
    expect(p).to.be.instanceOf(PoolProxy);
    const seen: { id: number; ref: ActorRef; thread: number; label: string }[] = [];
    for (let i = 0; i < 8; i++) seen.push(await p.whoami());
    const ids = seen.map((s) => s.ref.id);
    expect(new Set(ids).size).to.equal(4);
    expect(ids.slice(4)).to.deep.equal(ids.slice(0, 4)); // in turn
    expect(seen.every((s) => s.label === 'm')).to.equal(true);
    const members = await p.members();
    expect(members.map((r) => r.id).sort()).to.deep.equal([...new Set(ids)].sort());
    if (h.controller.threads) {
      const threads = new Set(seen.map((s) => s.thread));
      expect(threads.size).to.equal(Math.min(4, rt.fabricThreads().length));
      expect(threads.has(0)).to.equal(false);
    }
  });

  it('sends a least-busy call to a member with no call in flight', async () => {
    const rt = h.runtime();
    const gate = rt.spawnWith(h.on(1), Gate);
    const p = await rt.pool(Member, { size: 3, strategy: 'least-busy' }, 'lb');
    const blocked = p.block(gate.ref); // one member is busy until the gate opens
    const others: number[] = [];
    for (let i = 0; i < 6; i++) others.push((await p.whoami()).id);
    await gate.open();
    const busy = await blocked;
    expect(others).to.not.include(busy);
    expect(new Set(others).size).to.equal(2); // the idle members share the calls
  });

  it('takes members in turn with round robin, whatever calls are in flight', async () => {
    const rt = h.runtime();
    const gate = rt.spawnWith(h.on(1), Gate);
    const p = await rt.pool(Member, { size: 2 }, 'rr');
    const blocked = p.block(gate.ref);
    const second = p.whoami(); // the other member
    const third = p.whoami(); // queued behind the blocked call, on the busy member
    expect((await second).id).to.not.equal(undefined);
    await gate.open();
    const busyId = await blocked;
    expect((await third).id).to.equal(busyId);
  });

  it('restarts a crashed member, and calls go on over the full pool', async () => {
    const rt = h.runtime();
    const p = await rt.pool(Member, { size: 3 }, 'c');
    const before = await p.members();
    const victim = before[0]!.id;
    const gone = exitOf(rt, before[0]!);
    // Crashed from outside the pool: the pool's proxy learns of it from the exit, not from a failed call.
    const err = await rt
      .proxy(before[0]!, Member)
      .crash()
      .catch((e: Error) => e);
    expect((err as Error).message).to.equal('member c crashed');
    await gone;
    const ids = new Set<number>();
    for (let i = 0; i < 12; i++) ids.add((await p.whoami()).ref.id);
    expect(ids.has(victim)).to.equal(false);
    const after = (await p.members()).map((r) => r.id);
    expect(after.length).to.equal(3);
    expect(after).to.not.include(victim);
    expect([...ids].sort()).to.deep.equal([...after].sort());
  });

  it('broadcasts a cast to every member', async () => {
    const rt = h.runtime();
    const p = await rt.pool(Member, { size: 3 }, 'b');
    p.broadcast('note');
    p.broadcast('note');
    const counts = await Promise.all((await p.members()).map((r) => rt.proxy(r, Member).countNotes()));
    expect(counts).to.deep.equal([2, 2, 2]);
  });

  it('stops its members when stopped; calls then reject with NoSuchActorError', async () => {
    const rt = h.runtime();
    const p = await rt.pool(Member, { size: 2 }, 's');
    const exits = (await p.members()).map((r) => exitOf(rt, r));
    await p.stop();
    expect(await Promise.all(exits)).to.deep.equal(['shutdown', 'shutdown']);
    const err = await p.whoami().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NoSuchActorError);
    expect((err as Error).message).to.include('member of the pool');
  });

  it('starts a pool from inside an actor with the functional API, typed after the class', async () => {
    const rt = h.runtime();
    const sums = await rt.run(async () => {
      const adders = await pool(Adder, { size: 2, strategy: 'least-busy' });
      const out = await Promise.all([adders.add(1, 2), adders.add(3, 4), adders.call<number>('add', [5, 6])]);
      await adders.stop();
      const triples = await pool(triple, { size: 2 });
      out.push(...(await Promise.all([triples.invoke(1), triples.invoke(2)])));
      return out;
    });
    expect(sums).to.deep.equal([3, 7, 11, 3, 6]);
  });

  it('gives its calls a timeout with with({ timeout }), over the same members', async () => {
    const rt = h.runtime();
    const p = await rt.pool(Member, { size: 2 }, 't');
    const quick = p.with({ timeout: 100 });
    const err = await quick.hang().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CallTimeoutError);
    expect(err).to.include({ timeout: 100 });
    // The hung member is busy for good: least-busy is not the strategy here, so the next call goes in turn.
    expect((await quick.whoami()).label).to.equal('t');
    expect((await quick.members()).length).to.equal(2);
    expect(() => p.with({ timeout: Number.NaN })).to.throw(InvalidOptionError, 'pool.with options.timeout');
    expect(() => p.with(undefined as never)).to.throw(InvalidOptionError, 'needs an options object');
  });

  it('rejects bad input: a non-actor, a plain function, bad options, a member that fails to start', async () => {
    const rt = h.runtime();
    const bad = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await bad(rt.pool(Math.max as never, { size: 1 }))).to.be.instanceOf(NotAnActorError);
    expect(await bad(rt.pool(idle as never, { size: 1 }))).to.be.instanceOf(InvalidArgumentError);
    for (const options of [
      { size: 0 },
      { size: 1.5 },
      { size: '2' },
      {},
      { size: 2, strategy: 'random' },
      { size: 2, intensity: -1 },
      { size: 2, period: 0 },
      { size: 2, colour: 'red' },
      null,
    ]) {
      const err = await bad(rt.pool(Member, options as never, 'x'));
      expect(err, JSON.stringify(options)).to.be.instanceOf(InvalidOptionError);
      expect((err as Error).message).to.include('pool options');
    }
    const failed = await bad(rt.pool(FailingConstructor, { size: 2 }));
    expect(failed).to.be.instanceOf(ChildStartError);
    const p = await rt.pool(Member, { size: 2 }, 'ok');
    expect(await bad(p.call(42 as never))).to.be.instanceOf(InvalidArgumentError);
    expect(await bad(p.call('whoami', [], undefined, { timeout: '5' as never }))).to.be.instanceOf(
      InvalidOptionError,
    );
    expect(() => p.cast(42 as never)).to.throw(InvalidArgumentError);
    expect(() => p.broadcast(42 as never)).to.throw(InvalidArgumentError);
    expect((await p.whoami()).label).to.equal('ok');
    expect(await p.next()).to.equal('next of ok'); // a handler named like the proxy's private state
  });
});
