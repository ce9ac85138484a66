/**
 * Start-up on worker threads (a module that starts the runtime at its top level and defines the actors it
 * spawns), what a worker reports when it cannot import an actor's module, and the runtime's callTimeout
 * on worker threads.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { load, loaded } from '../../src/actors/importable.js';
import {
  ActorExitedError,
  ActorRef,
  CallTimeoutError,
  ChildStartError,
  childSpec,
  type ExitReason,
  link,
  monitor,
  NotImportableError,
  Runtime,
  recv,
  Supervisor,
  spawn,
  spawnWith,
  started,
  TaskletController,
  ThreadController,
  trapExit,
} from '../../src/index.js';
import { spyLogger } from '../conformance/harness.js';
import { compileFixtures } from '../fixtures/compile.js';
import { Doomed } from '../fixtures/throws-on-workers.js';
import { unlistedClass } from '../fixtures/unexported.js';
import { Asker, type Outcome, Sleeper, Spawner } from './startup-actors.js';
import { Echo } from './thread-actors.js';

function runProgram(...argv: string[]): {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
} {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

const RUN_OUTPUT =
  'hello main from a greeter on a worker thread\n' +
  'hello worker (relayed from thread 1) on a worker thread\n' +
  'main done\n';
const PARLEY_OUTPUT = 'count 5 on a worker thread\n';

describe('start-up at a module top level, on threads', () => {
  it('await new Runtime({ controller: new ThreadController() }).run(main), with the actors in that module, runs and exits by itself', function () {
    this.timeout(70_000);
    const r = runProgram('--import', 'tsx', 'test/fixtures/startup-run.ts');
    expect(r.status, `exit status (after ${r.ms} ms); stderr: ${r.stderr}`).to.equal(0);
    expect(r.stdout).to.equal(RUN_OUTPUT);
  });

  it('startThreadController(); spawn(main) at top level, with the actor in that module, runs and exits by itself', function () {
    this.timeout(70_000);
    const r = runProgram('--import', 'tsx', 'test/fixtures/startup-parley.ts');
    expect(r.status, `exit status (after ${r.ms} ms); stderr: ${r.stderr}`).to.equal(0);
    expect(r.stdout).to.equal(PARLEY_OUTPUT);
  });

  describe('compiled to JavaScript', () => {
    const out = join(process.cwd(), '.dist-test', 'startup');
    after(() => rmSync(out, { recursive: true, force: true }));

    it('runs both start-ups from tsc output, workers and all, and exits by itself', function () {
      this.timeout(180_000);
      const tsc = compileFixtures(out, ['test/fixtures/startup-run.ts', 'test/fixtures/startup-parley.ts']);
      expect(tsc.status, tsc.output).to.equal(0);
      const run = runProgram(join(out, 'test/fixtures/startup-run.js'));
      expect(run.status, `exit status (after ${run.ms} ms); stderr: ${run.stderr}`).to.equal(0);
      expect(run.stdout).to.equal(RUN_OUTPUT);
      const parley = runProgram(join(out, 'test/fixtures/startup-parley.js'));
      expect(parley.status, `exit status (after ${parley.ms} ms); stderr: ${parley.stderr}`).to.equal(0);
      expect(parley.stdout).to.equal(PARLEY_OUTPUT);
    });
  });
});

describe('a worker thread that cannot import an actor', () => {
  let rt: Runtime;
  let logger: ReturnType<typeof spyLogger>;
  beforeEach(() => {
    logger = spyLogger();
    rt = new Runtime({ controller: new ThreadController({ threads: 2 }), logger });
  });
  afterEach(() => rt.shutdown());

  /**
   * Spawns `cls` on a worker thread (from main); resolves with what a call to it rejects with, its exit
   * reason, and what `then` returns once that is known (still inside main).
   */
  function spawnFailing(
    cls: new () => unknown,
    then: () => Promise<unknown>,
  ): Promise<{ callError: unknown; reason: ExitReason; after: unknown }> {
    return rt.run(async () => {
      const a = spawn(cls as typeof Doomed);
      expect(a.ref.thread).to.not.equal(0);
      monitor(a);
      const callError = await a.call('ping').catch((e: unknown) => e);
      const [, , down] = await recv('DOWN');
      return { callError, reason: down[0] as ExitReason, after: await then() };
    });
  }

  it('reports the real cause when the module throws at its top level there', async () => {
    // The worker thread itself is fine afterwards: it still runs other actors.
    const { callError, reason, after } = await spawnFailing(Doomed, () => spawn(Echo).echo(7));
    expect(reason).to.be.instanceOf(NotImportableError);
    const err = reason as NotImportableError;
    expect(err.message).to.include('Doomed cannot run on a worker thread');
    expect(err.message).to.include('this module refuses to load on a worker thread');
    expect(err.message).to.include("{ thread: 'local' }");
    expect(err.cause).to.be.instanceOf(Error);
    expect((err.cause as Error).message).to.equal('this module refuses to load on a worker thread');
    // The caller learns it too: its call fails with the actor's exit reason.
    expect(callError).to.be.instanceOf(ActorExitedError);
    expect((callError as ActorExitedError).reason).to.be.instanceOf(NotImportableError);
    expect((callError as Error).message).to.include('this module refuses to load on a worker thread');
    expect(after).to.equal(7);
  });

  it('says to export a top-level class its module does not export (or to keep it local)', async () => {
    const Unlisted = unlistedClass() as typeof Doomed;
    // On the spawning thread it runs.
    const { callError, reason, after } = await spawnFailing(Unlisted, () =>
      spawnWith({ thread: 'local' }, Unlisted).ping(),
    );
    expect(reason).to.be.instanceOf(NotImportableError);
    expect((reason as Error).message).to.match(
      /Unlisted is defined at the top level of .*unexported\.ts but not exported.*export it.*\{ thread: 'local' \}/,
    );
    expect((callError as ActorExitedError).reason).to.be.instanceOf(NotImportableError);
    expect(after).to.equal('pong');
  });

  /** What `p` rejects with (undefined if it resolves). */
  const failure = (p: Promise<unknown>): Promise<unknown> =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  for (const [what, cls, says] of [
    ['a class its module does not export', () => unlistedClass(), /Unlisted is defined at the top level/],
    ['a class whose module throws there', () => Doomed, /this module refuses to load on a worker thread/],
  ] as const) {
    it(`fails the start of ${what}: started(), its monitor, its link and a call all get the NotImportableError`, async () => {
      const out = await rt.run(async () => {
        trapExit(true);
        const a = spawn(cls() as typeof Doomed);
        const m = monitor(a);
        link(a);
        const call = failure(a.ping());
        const start = await failure(started(a, { timeout: 60_000 }));
        const [, , down] = await recv((msg) => msg[0] === 'DOWN' && msg[2][1] === m);
        const [, from, exitArgs] = await recv('EXIT');
        const fromIt = from instanceof ActorRef && from.equals(a.ref);
        return { thread: a.ref.thread, start, down: down[0], exit: exitArgs[0], fromIt, call: await call };
      });
      expect(out.thread).to.not.equal(0);
      // started() rejects: the actor exited before its start finished, with the real reason.
      expect(out.start).to.be.instanceOf(ActorExitedError);
      expect((out.start as Error).message).to.include('exited before its start finished');
      const reason = (out.start as ActorExitedError).reason;
      expect(reason).to.be.instanceOf(NotImportableError);
      expect((reason as Error).message).to.match(says);
      // Its monitor and its link get the same reason; a call made before it failed, too.
      for (const r of [out.down, out.exit, (out.call as ActorExitedError).reason]) {
        expect(r).to.be.instanceOf(NotImportableError);
        expect((r as Error).message).to.equal((reason as Error).message);
      }
      expect(out.call).to.be.instanceOf(ActorExitedError);
      expect(out.fromIt, 'the EXIT comes from the actor').to.equal(true);
    });
  }

  it('fails the start of a supervisor on a worker thread that cannot import its child: ChildStartError, cause the NotImportableError', async () => {
    const Unlisted = unlistedClass();
    const out = await rt.run(async () => {
      const sup = spawnWith({ thread: 1 }, Supervisor, { children: [childSpec(Unlisted, { id: 'acct' })] });
      monitor(sup);
      const start = await failure(started(sup, { timeout: 60_000 }));
      const [, , down] = await recv('DOWN');
      return { start, down: down[0] };
    });
    expect(out.start).to.be.instanceOf(ActorExitedError);
    const reason = (out.start as ActorExitedError).reason;
    expect(reason).to.be.instanceOf(ChildStartError);
    expect((reason as ChildStartError).childId).to.equal('acct');
    expect((reason as Error).cause).to.be.instanceOf(NotImportableError);
    expect(((reason as Error).cause as Error).message).to.match(/Unlisted is defined at the top level/);
    // The supervisor's own exit reason is that ChildStartError (not the raw import failure).
    expect(out.down).to.be.instanceOf(ChildStartError);
    expect((out.down as ChildStartError).childId).to.equal('acct');
  });

  it('fails the start of a supervisor here whose child goes to a worker that cannot import it, and startChild of one', async () => {
    const Unlisted = unlistedClass();
    const out = await rt.run(async () => {
      const failed = spawnWith({ thread: 'local' }, Supervisor, {
        children: [childSpec(Unlisted, { id: 'a' })],
      });
      const start = await failure(started(failed, { timeout: 60_000 }));
      const sup = spawnWith({ thread: 'local' }, Supervisor, { children: [] });
      await started(sup);
      const add = await failure(sup.startChild(childSpec(Unlisted, { id: 'b' })));
      return { start, add, count: await sup.countChildren() };
    });
    const reason = (out.start as ActorExitedError).reason;
    expect(reason).to.be.instanceOf(ChildStartError);
    expect((reason as Error).cause).to.be.instanceOf(NotImportableError);
    expect(out.add).to.be.instanceOf(ChildStartError);
    expect((out.add as Error).cause).to.be.instanceOf(NotImportableError);
    // The supervisor runs on without the child (it stays stopped, as in OTP).
    expect(out.count.active).to.equal(0);
  });

  it('hands a class the worker cannot import, sent in a message, as a stand-in whose spawn fails with the reason', async () => {
    const out = await rt.run(async () => {
      const s = spawnWith({ thread: 1 }, Spawner);
      return s.spawnIt(unlistedClass());
    });
    // Placed on another thread: refused at spawn, with why.
    expect(out.placed?.name).to.equal('NotImportableError');
    expect(out.placed?.message).to.match(/Unlisted is defined at the top level .* but not exported/);
    // Kept on that thread: its start fails with the same reason.
    expect(out.local).to.deep.equal({
      name: 'ActorExitedError',
      reason: 'NotImportableError',
      message: out.placed?.message,
    });
  });
});

describe('load() (how a thread imports an actor module)', () => {
  it('reports a file the thread cannot load with its cause and what to do, and keeps the failure for loaded()', async () => {
    const d = { module: new URL('../fixtures/not-a-module.txt', import.meta.url).href, name: 'Anything' };
    const err = await load(d).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NotImportableError);
    expect((err as NotImportableError).cause).to.have.property('code', 'ERR_UNKNOWN_FILE_EXTENSION');
    expect((err as Error).message)
      .to.include('Unknown file extension')
      .and.include('tsx');
    expect(() => loaded(d)).to.throw(err as Error);
  });
});

describe('callTimeout on worker threads', () => {
  let rt: Runtime | undefined;
  afterEach(() => rt?.shutdown());

  it('applies the runtime option to a call made from an actor on a worker thread (ThreadController)', async () => {
    rt = new Runtime({ callTimeout: 200, controller: new ThreadController({ threads: 2 }) });
    const sleeper = rt.spawn(Sleeper);
    const asker = rt.spawn(Asker);
    // The test's own call to the asker waits longer than the asker's call to the sleeper may.
    const outcome = await asker.call<Outcome>('ask', [sleeper.ref, 6000], undefined, { timeout: 10_000 });
    expect(outcome.thread).to.not.equal(0);
    expect(outcome.error).to.equal(CallTimeoutError.name);
    expect(outcome.timeout).to.equal(200);
    expect(outcome.ms).to.be.lessThan(4000);
  });

  it('applies it on a thread of its own too (TaskletController, { thread: "own" })', async () => {
    rt = new Runtime({ callTimeout: 200, controller: new TaskletController() });
    const sleeper = rt.spawn(Sleeper);
    const asker = rt.spawnWith({ thread: 'own' }, Asker);
    // The test's own call to the asker waits longer than the asker's call to the sleeper may.
    const outcome = await asker.call<Outcome>('ask', [sleeper.ref, 6000], undefined, { timeout: 10_000 });
    expect(outcome.thread).to.not.equal(0);
    expect(outcome.error).to.equal(CallTimeoutError.name);
    expect(outcome.timeout).to.equal(200);
    expect(outcome.ms).to.be.lessThan(4000);
  });
});
