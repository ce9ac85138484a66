import { expect } from 'chai';
import sinon from 'sinon';
import {
  type ActorProxy,
  type ActorRef,
  ChildPresentError,
  ChildRestartingError,
  ChildRunningError,
  type ChildSpec,
  ChildSpecError,
  ChildStartError,
  exit,
  NoSuchChildError,
  type RecordEvent,
  type Runtime,
  recv,
  Supervisor,
  type SupervisorOptions,
  spawnLink,
  trapExit,
} from '../../src/index.js';
import { Courier, Probe } from './actors.js';
import { exitOf, expectNotes, notes, onEveryController, settle } from './harness.js';
import { RestForOneApp, StartSwitch, Stubborn, Switched, Worker, waiter } from './supervision-actors.js';

type Sup = ActorProxy<Supervisor>;

/**
 * Starts a supervisor and waits until its children have started. `local`: on this thread, for tests that
 * fake time (fake timers reach this thread's clock only).
 */
async function startSup(rt: Runtime, options: SupervisorOptions, local = false): Promise<Sup> {
  const sup = rt.spawnWith({ thread: local ? 'local' : undefined }, Supervisor, options) as Sup;
  await sup.countChildren();
  return sup;
}

async function refOf(sup: Sup, id: string): Promise<ActorRef | undefined> {
  return (await sup.whichChildren()).find((c) => c.id === id)?.ref;
}

/** Waits until child `id` runs as an instance other than `old`. */
async function restarted(sup: Sup, id: string, old: ActorRef | undefined): Promise<ActorRef> {
  for (;;) {
    const ref = await refOf(sup, id);
    if (ref !== undefined && !ref.equals(old)) return ref;
    await settle(1);
  }
}

const workers = (log: ActorRef, ...labels: string[]): ChildSpec[] =>
  labels.map((l) => ({ id: l, actor: Worker, args: [l, log] }));

onEveryController('Supervisor', (h) => {
  it('starts children in order and stops them in reverse order on shutdown', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    await startSup(rt, { children: workers(log.ref, 'a', 'b', 'c') });
    await rt.shutdown();
    await expectNotes(seen, [
      'start a',
      'start b',
      'start c',
      'stop c shutdown',
      'stop b shutdown',
      'stop a shutdown',
    ]);
  });

  it('one_for_one restarts only the child that crashed', async () => {
    const rt = h.runtime();
    const log = rt.spawn(Probe);
    const sup = await startSup(rt, { strategy: 'one_for_one', children: workers(log.ref, 'a', 'b') });
    const [a, b] = [await refOf(sup, 'a'), await refOf(sup, 'b')];
    rt.proxy(a!).cast('crash');
    const a2 = await restarted(sup, 'a', a);
    expect(a2.equals(a)).to.equal(false);
    expect((await refOf(sup, 'b'))!.equals(b)).to.equal(true);
    expect(await rt.proxy(a2, Worker).getLabel()).to.equal('a');
  });

  it('one_for_all stops the others in reverse order and restarts all in order', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const sup = await startSup(rt, { strategy: 'one_for_all', children: workers(log.ref, 'a', 'b', 'c') });
    const b = await refOf(sup, 'b');
    const c = await refOf(sup, 'c');
    seen.length = 0;
    rt.proxy(b!).cast('crash');
    await restarted(sup, 'c', c);
    await expectNotes(seen, [
      'stop b error',
      'stop c shutdown',
      'stop a shutdown',
      'start a',
      'start b',
      'start c',
    ]);
  });

  it('rest_for_one restarts the crashed child and the ones started after it', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const sup = await startSup(rt, { strategy: 'rest_for_one', children: workers(log.ref, 'a', 'b', 'c') });
    const a = await refOf(sup, 'a');
    const c = await refOf(sup, 'c');
    seen.length = 0;
    rt.proxy((await refOf(sup, 'b'))!).cast('crash');
    await restarted(sup, 'c', c);
    await expectNotes(seen, ['stop b error', 'stop c shutdown', 'start b', 'start c']);
    expect((await refOf(sup, 'a'))!.equals(a)).to.equal(true);
  });

  it('one_for_all starts every child of the group again, also one stopped with terminateChild', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const sup = await startSup(rt, {
      strategy: 'one_for_all',
      intensity: 5,
      children: workers(log.ref, 'a', 'b', 'c'),
    });
    await sup.terminateChild('b');
    expect((await sup.whichChildren())[1]).to.include({ id: 'b', state: 'stopped' });
    const a = await refOf(sup, 'a');
    rt.proxy(a!).cast('crash');
    await restarted(sup, 'a', a);
    // Handled in one go (the EXIT's handler): once 'a' runs again, the whole group has been started.
    const kids = await sup.whichChildren();
    expect(kids.map((c) => [c.id, c.state])).to.deep.equal([
      ['a', 'running'],
      ['b', 'running'],
      ['c', 'running'],
    ]);
    expect(kids[1]!.restarts).to.equal(1);
    await expectNotes(seen, [
      'start a',
      'start b',
      'start c',
      'stop b shutdown',
      'stop a error',
      'stop c shutdown',
      'start a',
      'start b',
      'start c',
    ]);
  });

  it('one_for_all starts again a transient child that had exited normally', async () => {
    const rt = h.runtime();
    const sup = await startSup(rt, {
      strategy: 'one_for_all',
      intensity: 5,
      children: [
        { id: 'a', actor: Worker, args: ['a'] },
        { id: 't', actor: Worker, args: ['t'], restart: 'transient' },
      ],
    });
    rt.proxy((await refOf(sup, 't'))!).cast('quit', 'normal');
    while ((await sup.whichChildren())[1]!.state !== 'stopped') await settle(1);
    const a = await refOf(sup, 'a');
    rt.proxy(a!).cast('crash');
    await restarted(sup, 'a', a);
    expect((await sup.whichChildren()).map((c) => [c.id, c.state])).to.deep.equal([
      ['a', 'running'],
      ['t', 'running'],
    ]);
  });

  it('rest_for_one starts again the children after the crashed one, also one stopped with terminateChild, not one before it', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const sup = await startSup(rt, {
      strategy: 'rest_for_one',
      intensity: 5,
      children: workers(log.ref, 'a', 'b', 'c', 'd'),
    });
    await sup.terminateChild('a');
    await sup.terminateChild('c');
    const b = await refOf(sup, 'b');
    rt.proxy(b!).cast('crash');
    await restarted(sup, 'b', b);
    expect((await sup.whichChildren()).map((c) => [c.id, c.state])).to.deep.equal([
      ['a', 'stopped'],
      ['b', 'running'],
      ['c', 'running'],
      ['d', 'running'],
    ]);
    await expectNotes(seen, [
      'start a',
      'start b',
      'start c',
      'start d',
      'stop a shutdown',
      'stop c shutdown',
      'stop b error',
      'stop d shutdown',
      'start b',
      'start c',
      'start d',
    ]);
  });

  for (const [restart, reason, expected] of [
    ['permanent', 'normal', true],
    ['permanent', 'shutdown', true],
    ['permanent', 'crash', true],
    ['transient', 'normal', false],
    ['transient', 'shutdown', false],
    ['transient', { shutdown: 'detail' }, false],
    ['transient', 'crash', true],
    ['transient', 'custom', true],
    ['temporary', 'crash', false],
    ['temporary', 'normal', false],
  ] as const) {
    it(`${expected ? 'restarts' : 'does not restart'} a ${restart} child that exits with ${JSON.stringify(reason)}`, async () => {
      const rt = h.runtime();
      const sup = await startSup(rt, {
        intensity: 5,
        children: [{ id: 'w', actor: Worker, args: ['w'], restart }],
      });
      const w = rt.proxy((await refOf(sup, 'w'))!, Worker);
      const down = exitOf(rt, w.ref);
      if (reason === 'crash') w.cast('crash');
      else w.cast('quit', reason);
      await down;
      // The supervisor handled the EXIT before this call (it was queued first).
      const kids = await sup.whichChildren();
      if (expected) {
        expect(kids[0]!.state).to.equal('running');
        expect(kids[0]!.ref!.equals(w.ref)).to.equal(false);
        expect(kids[0]!.restarts).to.equal(1);
      } else if (restart === 'temporary') {
        expect(kids).to.deep.equal([]);
      } else {
        expect(kids[0]!.state).to.equal('stopped');
      }
    });
  }

  it('restarts by restart type, observed through whichChildren', async () => {
    const rt = h.runtime();
    const sup = await startSup(rt, {
      intensity: 10,
      children: [
        { id: 'perm', actor: Worker, args: ['perm'], restart: 'permanent' },
        { id: 'trans', actor: Worker, args: ['trans'], restart: 'transient' },
        { id: 'temp', actor: Worker, args: ['temp'], restart: 'temporary' },
      ],
    });
    const before = await sup.whichChildren();
    for (const c of before) rt.proxy(c.ref!, Worker).cast('quit', 'normal');
    await restarted(sup, 'perm', before[0]!.ref);
    // The EXITs of 'trans' and 'temp' come from other threads than this call: wait until all are handled.
    const states = async () => (await sup.whichChildren()).map((c) => [c.id, c.state]);
    let after = await states();
    while (after.length > 2 || after[1]?.[1] !== 'stopped') {
      await settle(1);
      after = await states();
    }
    expect(after).to.deep.equal([
      ['perm', 'running'],
      ['trans', 'stopped'],
    ]);
  });

  it('does not restart a temporary child when a sibling triggers one_for_all, and drops its spec', async () => {
    const rt = h.runtime();
    const log = rt.spawn(Probe);
    const sup = await startSup(rt, {
      strategy: 'one_for_all',
      children: [
        { id: 'a', actor: Worker, args: ['a', log.ref] },
        { id: 't', actor: Worker, args: ['t', log.ref], restart: 'temporary' },
      ],
    });
    const a = await refOf(sup, 'a');
    rt.proxy(a!).cast('crash');
    await restarted(sup, 'a', a);
    expect((await sup.whichChildren()).map((c) => c.id)).to.deep.equal(['a']);
  });

  it('gives up after more than intensity restarts in the period: stops children in reverse, exits "shutdown"', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const reason = await rt.run(async () => {
      trapExit(true);
      const sup = spawnLink(Supervisor, {
        intensity: 1,
        period: 60_000,
        children: workers(log.ref, 'a', 'b', 'c'),
      });
      await sup.countChildren();
      const b1 = await refOf(sup, 'b');
      rt.proxy(b1!).cast('crash');
      const b2 = await restarted(sup, 'b', b1);
      seen.length = 0;
      rt.proxy(b2).cast('crash');
      const [, from, [r]] = await recv('EXIT');
      expect((from as ActorRef).equals(sup.ref)).to.equal(true);
      return r;
    });
    expect(reason).to.equal('shutdown');
    await expectNotes(seen, ['stop b error', 'stop c shutdown', 'stop a shutdown']);
    expect(h.logger.error.calledWithMatch(sinon.match(/gave up|give_up/))).to.equal(true);
  });

  it('counts restarts over a sliding window: restarts further apart than the period never add up', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      const rt = h.runtime();
      const sup = await startSup(
        rt,
        { intensity: 1, period: 1000, children: [{ id: 'w', actor: Worker, args: ['w'] }] },
        true,
      );
      let ref = await refOf(sup, 'w');
      for (let i = 0; i < 3; i++) {
        rt.proxy(ref!).cast('crash');
        ref = await restarted(sup, 'w', ref);
        await clock.tickAsync(1000);
      }
      expect((await sup.supervisorInfo()).recentRestarts).to.equal(0);
      expect((await sup.whichChildren())[0]!.restarts).to.equal(3);
    } finally {
      clock.restore();
    }
  });

  it('escalates through two levels: the inner gives up, the outer restarts it, then gives up too', async () => {
    const rt = h.runtime();
    const reason = await rt.run(async () => {
      trapExit(true);
      const inner: SupervisorOptions = { intensity: 0, children: [{ id: 'w', actor: Worker, args: ['w'] }] };
      const outer = spawnLink(Supervisor, {
        intensity: 1,
        children: [{ id: 'inner', actor: Supervisor, args: [inner] }],
      });
      await outer.countChildren();
      for (let round = 0; round < 2; round++) {
        const innerRef = await refOf(outer, 'inner');
        const innerSup = rt.proxy(innerRef!, Supervisor) as Sup;
        const w = await refOf(innerSup, 'w').catch(() => undefined);
        if (w === undefined) break;
        rt.proxy(w).cast('crash');
        if (round === 0) await restarted(outer, 'inner', innerRef);
      }
      const [, , [r]] = await recv('EXIT');
      return r;
    });
    expect(reason).to.equal('shutdown');
  });

  it('kills a child that ignores "shutdown" once its shutdown timeout runs out', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      const rt = h.runtime();
      const sup = await startSup(rt, { children: [{ id: 's', actor: Stubborn, shutdown: 2000 }] }, true);
      const s = await refOf(sup, 's');
      expect(await rt.proxy(s!, Stubborn).ping()).to.equal('pong');
      let done = false;
      const term = sup.terminateChild('s').then(() => (done = true));
      await clock.tickAsync(1999);
      expect(done).to.equal(false);
      await clock.tickAsync(1);
      await term;
      expect((await sup.whichChildren())[0]!.state).to.equal('stopped');
    } finally {
      clock.restore();
    }
  });

  it('kills a brutal_kill child at once, without onStop', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const sup = await startSup(rt, {
      children: [{ id: 'b', actor: Worker, args: ['b', log.ref], shutdown: 'brutal_kill' }],
    });
    await sup.terminateChild('b');
    await expectNotes(seen, ['start b']);
  });

  it('adds, stops, restarts, deletes, lists and counts children dynamically', async () => {
    const rt = h.runtime();
    const sup = await startSup(rt, {});
    const ref = await sup.startChild({ id: 'x', actor: Worker, args: ['x'] });
    expect(await rt.proxy(ref, Worker).getLabel()).to.equal('x');
    await sup.startChild({ id: 'sub', actor: Supervisor, args: [{}] });
    expect(await sup.countChildren()).to.deep.equal({ specs: 2, active: 2, supervisors: 1, workers: 1 });
    await sup.terminateChild('x');
    expect((await sup.whichChildren())[0]).to.include({ id: 'x', state: 'stopped', ref: undefined });
    const again = await sup.restartChild('x');
    expect(again.equals(ref)).to.equal(false);
    await sup.terminateChild('x');
    await sup.deleteChild('x');
    expect((await sup.whichChildren()).map((c) => c.id)).to.deep.equal(['sub']);
  });

  it('rejects dynamic calls on unknown or running children with named errors', async () => {
    const rt = h.runtime();
    const sup = await startSup(rt, { children: [{ id: 'w', actor: Worker, args: ['w'] }] });
    expect(await sup.terminateChild('nope').catch((e: unknown) => e)).to.be.instanceOf(NoSuchChildError);
    expect(await sup.deleteChild('w').catch((e: unknown) => e)).to.be.instanceOf(ChildRunningError);
    expect(await sup.restartChild('w').catch((e: unknown) => e)).to.be.instanceOf(ChildRunningError);
    // OTP's {error, {already_started, Pid}}: the error names the running child.
    const dup: any = await sup.startChild({ id: 'w', actor: Worker }).catch((e: unknown) => e);
    expect(dup).to.be.instanceOf(ChildRunningError);
    expect(dup.message).to.include("'w'").and.include('already running');
    expect(dup.actor.equals(await refOf(sup, 'w'))).to.equal(true);
    // The supervisor itself is unharmed by all of that.
    expect((await sup.countChildren()).active).to.equal(1);
  });

  it('rejects startChild with the id of a stopped or restarting child with ChildPresentError', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const { sup } = await inRestartLoop(rt);
    await sup.startChild({ id: 'w', actor: Worker, args: ['w'] });
    await sup.terminateChild('w');
    // OTP's {error, already_present}: a spec with that id is there, its child is not running.
    for (const [id, state] of [
      ['w', 'stopped'],
      ['f', 'restarting'],
    ]) {
      const err: any = await sup.startChild({ id: id!, actor: Worker }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ChildPresentError);
      expect(err).to.include({ name: 'ChildPresentError', code: 'ERR_PARLEY_CHILD_PRESENT', childId: id });
      expect(err.message).to.include(`'${id}'`).and.include(state!);
    }
    expect((await sup.countChildren()).specs).to.equal(2);
  });

  it('rejects startChild with ChildStartError when the child fails to start', async () => {
    const rt = h.runtime();
    const sw = rt.spawn(StartSwitch);
    await sw.set(true);
    const sup = await startSup(rt, {});
    const err: any = await sup
      .startChild({ id: 'f', actor: Switched, args: [sw.ref] })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ChildStartError);
    expect(err.message).to.include('start refused');
    expect(await sup.countChildren()).to.deep.equal({ specs: 0, active: 0, supervisors: 0, workers: 0 });
  });

  it('rejects a bad child spec at spawn with ChildSpecError naming the field and the child', () => {
    // Specs are checked by spawn itself, on the calling thread, before any placement: no actor starts.
    h.local('bad specs are refused synchronously by spawn on the calling thread; no actor starts');
    const rt = h.runtime();
    const spawnBad = (children: unknown) => () => rt.spawn(Supervisor, { children: children as ChildSpec[] });
    expect(spawnBad([{ id: 'a', actor: Worker, restart: 'sometimes' }])).to.throw(
      ChildSpecError,
      /children\[0\] \('a'\)\.restart must be one of permanent, transient, temporary/,
    );
    expect(
      spawnBad([
        { id: 'a', actor: Worker },
        { id: 'a', actor: Worker },
      ]),
    ).to.throw(ChildSpecError, /children\[1\] \('a'\)\.id/);
    expect(spawnBad([{ id: 'b', actor: 42 }])).to.throw(ChildSpecError, /\('b'\)\.actor/);
    // What spawn refuses, a child spec refuses at once too (not a ChildStartError later).
    expect(spawnBad([{ id: 'm', actor: Map }])).to.throw(
      ChildSpecError,
      /\('m'\)\.actor: .*built-in function Map/,
    );
    expect(spawnBad([{ id: 'k', actor: Worker.bind(null) }])).to.throw(
      ChildSpecError,
      /\('k'\)\.actor: .*bound/,
    );
    expect(spawnBad([{ id: 'c', actor: Worker, shutdown: -1 }])).to.throw(
      ChildSpecError,
      /\('c'\)\.shutdown/,
    );
    expect(spawnBad([{ actor: Worker }])).to.throw(ChildSpecError, /children\[0\]\.id/);
    expect(() => rt.spawn(Supervisor, { strategy: 'one_for_some' as never })).to.throw(
      ChildSpecError,
      /strategy/,
    );
    expect(() => rt.spawn(Supervisor, { intensity: -1 })).to.throw(ChildSpecError, /intensity/);
    // null is a value, not "use the default".
    expect(() => rt.spawn(Supervisor, { intensity: null as never })).to.throw(ChildSpecError, /intensity/);
    expect(() => rt.spawn(Supervisor, { strategy: null as never })).to.throw(ChildSpecError, /strategy/);
  });

  it('refuses a child shutdown or a period that is not a timeout with ChildSpecError naming the field', () => {
    h.local('bad specs are refused synchronously by spawn on the calling thread; no actor starts');
    const rt = h.runtime();
    const notNumbers: [unknown, RegExp][] = [
      ['100', /the string '100'/],
      [Number.NaN, /NaN/],
      [2 ** 31, /at most 2147483647/],
      [null, /null/],
      ['forever', /'forever'/],
    ];
    for (const [shutdown, why] of [...notNumbers, [-1, /negative/]] as [unknown, RegExp][]) {
      const spawnIt = () =>
        rt.spawn(Supervisor, { children: [{ id: 'c', actor: Worker, shutdown } as ChildSpec] });
      expect(spawnIt, `shutdown ${String(shutdown)}`).to.throw(
        ChildSpecError,
        /children\[0\] \('c'\)\.shutdown/,
      );
      expect(spawnIt, `shutdown ${String(shutdown)}`).to.throw(ChildSpecError, why);
    }
    for (const [period, why] of [...notNumbers, [-1, /more than 0/], [0, /more than 0/]] as [
      unknown,
      RegExp,
    ][]) {
      const spawnIt = () => rt.spawn(Supervisor, { period: period as number });
      expect(spawnIt, `period ${String(period)}`).to.throw(ChildSpecError, /Supervisor period/);
      expect(spawnIt, `period ${String(period)}`).to.throw(ChildSpecError, why);
    }
    // The bounds are accepted: 0 and 2^31−1 ms, Infinity (OTP's `infinity`: wait as long as it takes; for
    // the period, every restart counts for ever).
    for (const shutdown of [0, 2 ** 31 - 1, Number.POSITIVE_INFINITY, 'infinity', 'brutal_kill'] as const) {
      expect(() =>
        rt.spawn(Supervisor, { children: [{ id: 'c', actor: Worker, args: ['c'], shutdown }] }),
      ).to.not.throw();
    }
    for (const period of [1, 2 ** 31 - 1, Number.POSITIVE_INFINITY]) {
      expect(() => rt.spawn(Supervisor, { period })).to.not.throw();
    }
  });

  it('points a child name at the new instance after a restart', async () => {
    const rt = h.runtime();
    const sup = await startSup(rt, {
      children: [{ id: 'w', actor: Worker, args: ['w'], name: 'the-worker' }],
    });
    const first = await rt.whereis('the-worker');
    first!.cast('crash');
    const second = await restarted(sup, 'w', first!.ref);
    expect((await rt.whereis('the-worker'))!.ref.equals(second)).to.equal(true);
  });

  it('retries a restart that fails to start by a message to itself, counting it against the intensity', async () => {
    const rt = h.runtime();
    const sw = rt.spawn(StartSwitch);
    const reason = await rt.run(async () => {
      trapExit(true);
      const sup = spawnLink(Supervisor, {
        intensity: 3,
        period: 60_000,
        children: [{ id: 'f', actor: Switched, args: [sw.ref] }],
      });
      await sup.countChildren();
      await sw.set(true);
      rt.proxy((await refOf(sup, 'f'))!).cast('ping');
      exit((await refOf(sup, 'f'))!, 'boom');
      const [, , [r]] = await recv('EXIT');
      return r;
    });
    expect(reason).to.equal('shutdown');
    const starts = h.logger.error.getCalls().filter((c) => c.args[1]?.action === 'start_failed');
    expect(starts.length).to.equal(3);
    expect(starts[0]!.args[1]).to.include({ child: 'f', action: 'start_failed' });
  });

  /** A supervisor whose child 'f' is in its restart loop: its starts keep failing, the supervisor retries. */
  async function inRestartLoop(rt: Runtime) {
    const sw = rt.spawn(StartSwitch);
    const sup = await startSup(rt, {
      intensity: 1_000_000_000,
      period: 60_000,
      children: [{ id: 'f', actor: Switched, args: [sw.ref] }],
    });
    await sw.set(true);
    rt.proxy((await refOf(sup, 'f'))!).cast('crash');
    while ((await sup.whichChildren())[0]!.state !== 'restarting') await settle(1);
    return { sw, sup };
  }

  it('rejects restartChild and deleteChild of a child in its restart loop with ChildRestartingError, and keeps retrying', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const { sw, sup } = await inRestartLoop(rt);
    for (const call of [() => sup.restartChild('f'), () => sup.deleteChild('f')]) {
      const err: any = await call().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ChildRestartingError);
      expect(err).to.include({
        name: 'ChildRestartingError',
        code: 'ERR_PARLEY_CHILD_RESTARTING',
        childId: 'f',
      });
      expect(err.message).to.include("'f'");
    }
    // OTP's which_children says `restarting`; count_children counts the spec, not an active child.
    expect((await sup.whichChildren())[0]).to.include({ id: 'f', state: 'restarting', ref: undefined });
    expect(await sup.countChildren()).to.deep.equal({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    // The retries went on untouched: once starts succeed again, the child runs.
    await sw.set(false);
    const ref = await restarted(sup, 'f', undefined);
    expect(await rt.proxy(ref, Switched).ping()).to.equal('pong');
    expect((await sup.whichChildren())[0]!.restarts).to.equal(1);
  });

  it('still gives up when a child in its restart loop was asked to restart: the rejected call changes nothing', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const sw = rt.spawn(StartSwitch);
    const reason = await rt.run(async () => {
      trapExit(true);
      const sup = spawnLink(Supervisor, {
        intensity: 50,
        period: 600_000,
        children: [{ id: 'f', actor: Switched, args: [sw.ref] }],
      });
      await sup.countChildren();
      await sw.set(true);
      rt.proxy((await refOf(sup, 'f'))!).cast('crash');
      while ((await sup.whichChildren())[0]!.state !== 'restarting') await settle(1);
      await sup.restartChild('f').catch(() => {});
      const [, , [r]] = await recv('EXIT');
      return r;
    });
    expect(reason).to.equal('shutdown');
  });

  it('stops the retries of a child in its restart loop with terminateChild, after which restartChild starts it', async function () {
    this.timeout(60_000);
    const rt = h.runtime();
    const { sw, sup } = await inRestartLoop(rt);
    await sup.terminateChild('f');
    expect((await sup.whichChildren())[0]).to.include({ id: 'f', state: 'stopped' });
    await sw.set(false);
    const ref = await sup.restartChild('f');
    expect(await rt.proxy(ref, Switched).ping()).to.equal('pong');
  });

  it('reports restarts through the logger in one shape and in the recording', async () => {
    const events: RecordEvent[] = [];
    const rt = h.runtime({
      record: {
        to: '/dev/null',
        filter: (e) => {
          if (e.ev === 'report') events.push(e);
          return false;
        },
      },
    });
    const sup = await startSup(rt, { children: [{ id: 'w', actor: Worker, args: ['w'] }] });
    const w = await refOf(sup, 'w');
    rt.proxy(w!).cast('crash');
    await restarted(sup, 'w', w);
    const call = h.logger.warn.getCalls().find((c) => c.args[1]?.action === 'restarted');
    expect(call).to.not.equal(undefined);
    expect(Object.keys(call!.args[1])).to.include.members(['supervisor', 'child', 'reason', 'done']);
    expect(events.map((e) => [e.child, e.action])).to.deep.equal([['w', 'restarted']]);
  });

  it('takes a nested tree down in order on shutdown, children before their supervisor', async () => {
    const seen: string[] = [];
    const rt = h.runtime({ record: notes(seen) });
    const log = rt.spawn(Probe);
    const inner: SupervisorOptions = { children: workers(log.ref, 'i1', 'i2') };
    const sup = await startSup(rt, {
      children: [
        { id: 'w1', actor: Worker, args: ['w1', log.ref] },
        { id: 'inner', actor: Supervisor, args: [inner] },
        { id: 'w2', actor: Worker, args: ['w2', log.ref] },
      ],
    });
    void sup;
    await rt.shutdown();
    await expectNotes(seen, [
      'start w1',
      'start i1',
      'start i2',
      'start w2',
      'stop w2 shutdown',
      'stop i2 shutdown',
      'stop i1 shutdown',
      'stop w1 shutdown',
    ]);
  });

  it('shows live trees with runtime.tree()', async () => {
    const rt = h.runtime();
    await startSup(rt, {
      strategy: 'rest_for_one',
      children: [
        { id: 'w', actor: Worker, args: ['w'] },
        { id: 'inner', actor: Supervisor, args: [{ children: [{ id: 'fn', actor: waiter }] }] },
      ],
    });
    const text = await rt.tree();
    // (In a cluster refs print with their node: `<Supervisor#here.1@here>`.)
    expect(text).to.match(/^<Supervisor#[\w.-]+(@[\w/-]+)?> rest_for_one, 0\/1 restarts in 5000 ms/);
    expect(text)
      .to.include('├─ w <Worker#')
      .and.include('└─ inner <Supervisor#')
      .and.include('   └─ fn <waiter#');
  });

  it('runs a function actor as a child and restarts it', async () => {
    const rt = h.runtime();
    // A spec holding a plain function keeps the supervisor (and so its function child) on this thread:
    // the 'stop' comes from an actor on another one.
    const sup = await startSup(rt, { children: [{ id: 'fn', actor: waiter }] });
    const first = await refOf(sup, 'fn');
    await rt.spawnWith(h.on(1), Courier).castAll(first!, [['stop']]);
    await restarted(sup, 'fn', first);
  });

  it('takes its configuration from a subclass: statics and a children() method', async () => {
    const rt = h.runtime();
    const app = rt.spawn(RestForOneApp) as unknown as Sup;
    expect(await app.supervisorInfo()).to.deep.include({
      strategy: 'rest_for_one',
      intensity: 4,
      period: 2000,
    });
    expect((await app.whichChildren()).map((c) => c.id)).to.deep.equal(['first', 'second']);
  });

  it('lets spawn options win over subclass statics', async () => {
    const rt = h.runtime();
    const app = rt.spawn(Supervisor, { strategy: 'one_for_all', intensity: 2 });
    expect(await app.supervisorInfo()).to.deep.include({
      strategy: 'one_for_all',
      intensity: 2,
      period: 5000,
    });
  });
});
