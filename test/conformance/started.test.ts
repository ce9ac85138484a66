import { expect } from 'chai';
import {
  ActorExitedError,
  CallTimeoutError,
  exit,
  InvalidArgumentError,
  InvalidOptionError,
  link,
  monitor,
  NoSuchActorError,
  recv,
  spawn,
  spawnWith,
  started,
  trapExit,
} from '../../src/index.js';
import { Adder, FailingConstructor, gate } from './actors.js';
import { GatedStart, Notes, StartFails } from './api-actors.js';
import { exitOf, onEveryController, settle } from './harness.js';

onEveryController('awaiting start: started(actor)', (h) => {
  it('resolves only once an async onStart has finished', async () => {
    const rt = h.runtime();
    const g = rt.spawn(gate); // a function actor: on this thread
    const s = rt.spawnWith(h.on(1), GatedStart, g.ref);
    let done = false;
    const start = rt.started(s, { timeout: 60_000 }).then(() => {
      done = true;
    });
    // A round trip to the same thread: its spawn of `s` and the start question have arrived there.
    expect(await rt.spawnWith(h.on(1), Adder).add(1, 2)).to.equal(3);
    await settle(10);
    expect(done, 'not before onStart finished').to.equal(false);
    g.cast('open');
    await start;
    expect(done).to.equal(true);
    expect(await s.call('opened')).to.equal(true);
  });

  it('resolves with the functional started() at top level and inside an actor', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    await started(n); // at top level: the ref's own runtime answers
    await started(n.ref);
    const inside = await rt.run(async () => {
      const a = spawnWith(h.on(2), Notes);
      await started(a);
      return a.call('count');
    });
    expect(inside).to.equal(0);
  });

  for (const async of [false, true]) {
    it(`rejects with ActorExitedError carrying the reason when ${async ? 'an async' : 'a'} onStart throws`, async () => {
      const rt = h.runtime();
      const s = rt.spawnWith(h.on(1), StartFails, 'no database', async);
      const err = await rt.started(s).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ActorExitedError);
      expect((err as ActorExitedError).reason).to.be.instanceOf(Error);
      expect(((err as ActorExitedError).reason as Error).message).to.equal('no database');
      expect((err as Error).message).to.include('exited before its start finished');
    });
  }

  it('rejects with ActorExitedError when the constructor throws, and its monitor, link and a queued call get that reason', async () => {
    const rt = h.runtime();
    const out = await rt.run(async () => {
      trapExit(true);
      const a = spawnWith(h.on(1), FailingConstructor);
      const m = monitor(a);
      link(a);
      const call = a.call('anything').catch((e: unknown) => e);
      const start = await started(a).then(
        () => undefined,
        (e: unknown) => e,
      );
      const [, , down] = await recv((msg) => msg[0] === 'DOWN' && msg[2][1] === m);
      const [, , exitArgs] = await recv('EXIT');
      return { start, down: down[0], exit: exitArgs[0], call: await call };
    });
    expect(out.start).to.be.instanceOf(ActorExitedError);
    expect((out.start as Error).message).to.include('exited before its start finished');
    const reasons = [(out.start as ActorExitedError).reason, out.down, out.exit];
    expect(out.call).to.be.instanceOf(ActorExitedError);
    reasons.push((out.call as ActorExitedError).reason);
    for (const r of reasons) {
      expect(r).to.be.instanceOf(Error);
      expect((r as Error).message).to.equal('constructor failed');
    }
  });

  it('rejects with CallTimeoutError when onStart does not finish in time', async () => {
    const rt = h.runtime();
    const g = rt.spawn(gate);
    const s = rt.spawnWith(h.on(1), GatedStart, g.ref);
    // Let the worker boot first, so that the timeout measures the start only.
    expect(await rt.spawnWith(h.on(1), Adder).add(1, 2)).to.equal(3);
    const err = await rt.started(s, { timeout: 30 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(CallTimeoutError);
    expect((err as Error).message).to.include('did not finish its start');
    g.cast('open');
    await rt.started(s, { timeout: 60_000 });
  });

  it('rejects with NoSuchActorError for an actor that is no longer alive', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    await rt.started(n);
    const gone = exitOf(rt, n.ref);
    exit(n, 'kill');
    await gone;
    const err = await rt.started(n).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(NoSuchActorError);
  });

  it('rejects a bad actor or bad options at once', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    const errOf = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await errOf(rt.started(42 as never))).to.be.instanceOf(InvalidArgumentError);
    expect(await errOf(started({} as never))).to.be.instanceOf(InvalidArgumentError);
    expect(await errOf(rt.started(n, { timeout: -1 }))).to.be.instanceOf(InvalidOptionError);
    expect(await errOf(rt.started(n, { wait: 1 } as never))).to.be.instanceOf(InvalidOptionError);
    expect(await n.call('count')).to.equal(0);
  });

  it('makes the typical start-up read straight: spawn, await started, use', async () => {
    const rt = h.runtime();
    const result = await rt.run(async () => {
      const g = spawn(gate);
      const s = spawnWith(h.on(1), GatedStart, g.ref);
      g.cast('open');
      await started(s, { timeout: 60_000 });
      return s.call('opened');
    });
    expect(result).to.equal(true);
  });
});
