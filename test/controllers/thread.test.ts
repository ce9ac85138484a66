import { spawnSync } from 'node:child_process';
import { threadId } from 'node:worker_threads';
import { expect } from 'chai';
import {
  Actor,
  type ActorRef,
  exit,
  handles,
  InvalidOptionError,
  link,
  monitor,
  NotCloneableError,
  NotImportableError,
  Runtime,
  recv,
  register,
  Supervisor,
  spawnWith,
  TaskletController,
  ThreadController,
  trapExit,
  whereis,
} from '../../src/index.js';
import { spyLogger } from '../conformance/harness.js';
import { Collector, Cruncher, Echo, Mixer, Tally, Where } from './thread-actors.js';

describe('ThreadController', function () {
  this.timeout(120_000);
  let rt: Runtime;
  let controller: ThreadController;
  const logger = spyLogger();
  beforeEach(() => {
    controller = new ThreadController({ threads: 2 });
    // Workers boot slowly on a busy machine: calls wait on events, with room to spare.
    rt = new Runtime({ controller, logger, callTimeout: 60_000 });
  });
  afterEach(async () => {
    await rt.shutdown();
    expect(rt.stats().actors).to.equal(0);
    expect(controller.workerThreads).to.deep.equal([]);
  });

  it('places actor classes round-robin on worker threads and plain functions on the spawning thread', async () => {
    const a = rt.spawn(Where);
    const b = rt.spawn(Where);
    expect([a.ref.thread, b.ref.thread].sort()).to.deep.equal([1, 2]);
    const ids = [await a.id(), await b.id()];
    expect(ids[0]).to.not.equal(ids[1]);
    expect(ids).to.not.include(threadId);
    const local = rt.spawn(async () => {
      await recv();
    });
    expect(local.ref.thread).to.equal(0);
  });

  it('pins an actor to a thread with spawnWith({ thread })', async () => {
    const here = rt.spawnWith({ thread: 'local' }, Where);
    expect(await here.id()).to.equal(threadId);
    const two = rt.spawnWith({ thread: 2 }, Where);
    expect(two.ref.thread).to.equal(2);
    expect(() => rt.spawnWith({ thread: 7 }, Where)).to.throw(InvalidOptionError, /live worker thread/);
  });

  it('links, monitors and names across threads', async () => {
    const out = await rt.run(async () => {
      trapExit(true);
      const a = spawnWith({ thread: 1 }, Where);
      const b = spawnWith({ thread: 2 }, Tally);
      link(a);
      const m = monitor(b);
      await register('tally', b);
      const found = await whereis<Tally>('tally');
      found!.cast('n');
      const total = await found!.total();
      exit(a, 'kill');
      const [, from, [why]] = await recv('EXIT');
      exit(b, 'bye');
      const [, , [down, mref]] = await recv('DOWN');
      return { total, exitFrom: (from as ActorRef).equals(a.ref), why, down, sameMonitor: mref === m };
    });
    expect(out).to.deep.equal({ total: 1, exitFrom: true, why: 'killed', down: 'bye', sameMonitor: true });
  });

  it('fails a send of something a thread cannot carry at the send, with the path, and harms no one', async () => {
    const t = rt.spawn(Tally);
    expect(() => t.cast('n', { deep: [() => 1] })).to.throw(NotCloneableError, /args\[0\]\.deep\[0\]/);
    t.cast('n');
    expect(await t.total()).to.equal(1);
  });

  it('refuses at spawn, with NotImportableError, a class a worker cannot import', () => {
    const here = Number(/thread\.test\.ts:(\d+)/.exec(new Error().stack ?? '')?.[1]);
    class Hidden extends Actor {
      @handles('x') x() {
        return 1;
      }
    }
    expect(() => rt.spawn(Hidden)).to.throw(
      NotImportableError,
      /defined inside a function.*move it to the top level/,
    );
    // The line is the source's (tsx runs this file minified, with a source map), where @handles is written.
    expect(() => rt.spawn(Hidden)).to.throw(NotImportableError, `thread.test.ts:${here + 2})`);
    // …but it may still run on this thread.
    expect(rt.spawnWith({ thread: 'local' }, Hidden).ref.thread).to.equal(0);
  });

  it('survives a worker thread that dies: its actors exit noconnection, supervisors restart them, others lose nothing', async () => {
    const result = await rt.run(async () => {
      // The supervisor stays here; its child goes to a worker thread, T.
      const sup = spawnWith({ thread: 'local' }, Supervisor, {
        intensity: 5,
        children: [{ id: 'w', actor: Where }],
      });
      const before = (await sup.whichChildren())[0]!.ref!;
      const doomed = before.thread;
      const tally = spawnWith({ thread: doomed === 1 ? 2 : 1 }, Tally); // a survivor, on the other thread
      const victim = spawnWith({ thread: doomed }, Where);
      const watch = monitor(before);
      for (let i = 0; i < 500; i++) tally.cast('n');
      victim.cast('exitThread'); // process.exit() inside the worker: thread T dies mid-traffic
      for (let i = 0; i < 500; i++) tally.cast('n');
      const [, , [reason, m]] = await recv('DOWN');
      let after = (await sup.whichChildren())[0]?.ref;
      while (after === undefined || after.equals(before)) {
        await new Promise((r) => setTimeout(r, 10));
        after = (await sup.whichChildren())[0]?.ref;
      }
      return {
        reason,
        sameMonitor: m === watch,
        doomed,
        restartedOn: after.thread,
        total: await tally.total(),
      };
    });
    expect(result.reason).to.equal('noconnection');
    expect(result.sameMonitor).to.equal(true);
    expect(result.restartedOn).to.not.equal(result.doomed);
    expect(result.total).to.equal(1000);
    expect(logger.error.calledWithMatch(/worker thread \d+ exited/)).to.equal(true);
  });

  it('loses only the actors of a thread killed by an uncaught error outside any actor', async () => {
    const a = rt.spawnWith({ thread: 1 }, Where);
    const b = rt.spawnWith({ thread: 2 }, Echo);
    const reason = await rt.run(async () => {
      monitor(a);
      a.cast('throwOutside');
      const [, , [r]] = await recv('DOWN');
      expect(await b.echo('still here')).to.equal('still here');
      return r;
    });
    expect(reason).to.equal('noconnection');
    expect(logger.error.calledWithMatch(/uncaught outside any actor/)).to.equal(true);
  });

  it('keeps other actors answering while one does 300 ms of blocking work on a thread of its own', async () => {
    await blockingBound(rt);
  });

  it('delivers a burst far bigger than a lane in the order sent, plain messages and packets mixed', async () => {
    const collector = rt.spawnWith({ thread: 2 }, Collector);
    const mixer = rt.spawnWith({ thread: 1 }, Mixer);
    const n = 60_000; // ~5 lane-fulls of records, with a packet every few messages
    expect(await mixer.blast(collector.ref, n)).to.equal(n);
    const items = await collector.items();
    expect(items).to.have.length(n);
    const order = items.map((v) => (typeof v === 'number' ? v : (v as { i: number }).i));
    expect(order).to.deep.equal(Array.from({ length: n }, (_, i) => i));
  });

  it('answers calls between worker threads through the lanes', async () => {
    const echo = rt.spawnWith({ thread: 2 }, Echo);
    const mixer = rt.spawnWith({ thread: 1 }, Mixer);
    expect(await mixer.bounce(echo.ref, 2_000)).to.equal(2_000);
  });

  it('rejects invalid options naming the option', () => {
    expect(() => new ThreadController({ spinMicros: -1 })).to.throw(
      InvalidOptionError,
      /options\.spinMicros/,
    );
    expect(() => new ThreadController({ threads: 0 })).to.throw(InvalidOptionError, /options\.threads/);
    // NaN is named as NaN, not as JSON's null.
    expect(() => new ThreadController({ threads: Number.NaN })).to.throw(InvalidOptionError, /\(got NaN\)/);
    expect(() => new ThreadController({ thread: 2 } as never)).to.throw(
      InvalidOptionError,
      /options\.thread is not/,
    );
  });
});

describe('ThreadController({ spinMicros }) (low-latency mode)', function () {
  this.timeout(120_000);
  it('runs calls and casts between worker threads that poll before sleeping, and shuts down cleanly', async () => {
    const controller = new ThreadController({ threads: 2, spinMicros: 100 });
    const rt = new Runtime({ controller, callTimeout: 60_000 });
    try {
      const echo = rt.spawnWith({ thread: 2 }, Echo);
      const mixer = rt.spawnWith({ thread: 1 }, Mixer);
      expect(await mixer.bounce(echo.ref, 2_000)).to.equal(2_000);
      const collector = rt.spawnWith({ thread: 2 }, Collector);
      expect(await mixer.blast(collector.ref, 1_000)).to.equal(1_000);
      expect(await collector.items()).to.have.length(1_000);
    } finally {
      await rt.shutdown();
    }
    expect(controller.workerThreads).to.deep.equal([]);
  });
});

describe('TaskletController with spawnWith({ thread: "own" })', () => {
  it('keeps other actors answering while one does 300 ms of blocking work on a thread of its own', async () => {
    const rt = new Runtime({ controller: new TaskletController() });
    try {
      await blockingBound(rt);
    } finally {
      await rt.shutdown();
    }
  });
});

/** A 300 ms synchronous computation on its own thread delays another actor's replies by little. */
async function blockingBound(rt: Runtime): Promise<void> {
  const cruncher = rt.spawnWith({ thread: 'own' }, Cruncher);
  const echo = rt.spawnWith({ thread: 'local' }, Echo);
  await cruncher.crunch(1); // started and warm
  const crunching = cruncher.crunch(300);
  let worst = 0;
  const started = performance.now();
  while (performance.now() - started < 300) {
    const t0 = performance.now();
    await echo.echo(1);
    worst = Math.max(worst, performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  await crunching;
  // Generous on a loaded 2-core machine; a frozen event loop would show ~300 ms.
  expect(worst).to.be.lessThan(100);
}

describe('ThreadController programs', () => {
  it('runs the PARLEY start-up style on threads and exits by itself, leaving no worker behind', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/threads-parley-style.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('sum 3 on a worker thread\n');
  });
});
