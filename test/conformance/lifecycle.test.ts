import { expect } from 'chai';
import sinon from 'sinon';
import { ActorExitedError, exit, me, monitor, RuntimeStoppedError, recv, spawn } from '../../src/index.js';
import { FailingConstructor, Idle, idle, Lifecycle, Probe, SlowStart, Trapper } from './actors.js';
import { expectNotes, notes, onEveryController } from './harness.js';

onEveryController('actor lifecycle, run() and shutdown', (h) => {
  it('runs onStart before the first message and onStop with the exit reason', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const a = rt.spawn(Lifecycle, 'a', log.ref);
    expect(await a.ping()).to.equal('pong a');
    await rt.run(async () => {
      monitor(a);
      exit(a, 'custom');
      await recv('DOWN');
    });
    await expectNotes(seen, ['start a', 'stop a custom']);
  });

  it('holds messages until an async onStart has finished', async () => {
    const rt = h.runtime();
    const s = rt.spawn(SlowStart);
    expect(await s.isReady()).to.equal(true);
  });

  it('exits with the error a constructor throws', async () => {
    const reason = await h.runtime().run(async () => {
      const a = spawn(FailingConstructor);
      monitor(a);
      const [, , [r]] = await recv('DOWN');
      return (r as Error).message;
    });
    expect(reason).to.equal('constructor failed');
  });

  it('resolves run(main) with the return value of main', async () => {
    // run() always runs main on the calling thread, and this main is all there is.
    h.local('run(main) runs main on the main thread; the test has no other actor');
    expect(await h.runtime().run(async (a: number, b: number) => a * b, 6, 7)).to.equal(42);
  });

  it('rejects run(main) with the error main crashed with, without logging it', async () => {
    // As above: main alone, on the thread that called run().
    h.local('run(main) runs main on the main thread; the test has no other actor');
    const err = await h
      .runtime()
      .run(async () => {
        throw new Error('main failed');
      })
      .catch((e: any) => e);
    expect(err.message).to.equal('main failed');
    expect(h.logger.error.called).to.equal(false);
  });

  it('rejects run(main) with ActorExitedError when main exits with a non-error reason', async () => {
    // As above: main alone, ending itself, on the thread that called run().
    h.local('run(main) runs main on the main thread; the test has no other actor');
    const err = await h
      .runtime()
      .run(async () => {
        exit(me(), 'custom');
        await recv();
      })
      .catch((e: any) => e);
    expect(err).to.be.instanceOf(ActorExitedError);
    expect(err.reason).to.equal('custom');
  });

  it('stops the remaining actors in reverse start order after main, running onStop with "shutdown"', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    await rt.run(async () => {
      // Each starts before the next is spawned (on threads they would otherwise start concurrently).
      for (const l of ['a', 'b', 'c']) await spawn(Lifecycle, l, log.ref).ping();
    });
    expect(rt.stats().actors).to.equal(0);
    await expectNotes(seen, [
      'start a',
      'start b',
      'start c',
      'stop c shutdown',
      'stop b shutdown',
      'stop a shutdown',
    ]);
  });

  it('kills an actor that ignores "shutdown" after shutdownTimeout', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      let sawExit!: () => void;
      const exitSent = new Promise<void>((resolve) => (sawExit = resolve));
      const rt = h.runtime({
        shutdownTimeout: 1000,
        record: {
          to: '/dev/null',
          filter: (e) => {
            if (e.ev === 'send' && e.tag === 'EXIT') sawExit();
            return false;
          },
        },
      });
      // Fake timers reach this thread only: the shutdown timer runs here, the stubborn actor on a worker.
      rt.spawnWith(h.on(1), Trapper);
      let done = false;
      const shut = rt.shutdown().then(() => (done = true));
      await exitSent; // shutdown has sent it 'shutdown' (as an EXIT message: it traps exits)
      await clock.tickAsync(999);
      expect(done).to.equal(false);
      await clock.tickAsync(1);
      await shut;
      expect(done).to.equal(true);
    } finally {
      clock.restore();
    }
  });

  it('refuses to spawn on a runtime that has shut down with RuntimeStoppedError', async () => {
    // The spawn is refused on the spot, before any placement: no actor ever exists to put anywhere.
    h.local('the runtime is shut down before anything is spawned; spawn throws on the calling thread');
    const rt = h.runtime();
    await rt.shutdown();
    expect(() => rt.spawn(idle)).to.throw(RuntimeStoppedError, /shutting down/);
  });

  it('is idempotent: shutdown() twice resolves both', async () => {
    const rt = h.runtime();
    rt.spawnWith(h.on(1), Idle);
    await Promise.all([rt.shutdown(), rt.shutdown()]);
    expect(rt.stats().actors).to.equal(0);
  });
});
