/**
 * How refs, proxies and Parley errors print: short, readable ids (`<Account#42@1>`), never the cells and
 * runtimes behind them; an uncaught ActorExitedError as Node reports it. The placements are covered by
 * test/conformance/printing.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { expect } from 'chai';
import sinon from 'sinon';
import { ID_SPACE, idText } from '../../src/core/inspect.js';
import {
  ActorExitedError,
  ActorProxy,
  type ActorRef,
  CallTimeoutError,
  ChildStartError,
  consoleLogger,
  InvalidArgumentError,
  NoSuchActorError,
  ReplyRef,
  Runtime,
  TaskletController,
} from '../../src/index.js';
import { Account } from '../conformance/printing-actors.js';

/** What gives away runtime internals in a print. */
const INTERNALS = /Cell \{|Runtime \{|Symbol\(parley|Scheduler|Fabric|\[Circular/;

describe('printing: ids', () => {
  it('prints an id the main thread handed out as its number, and one from thread t as t.n', () => {
    expect(idText(42)).to.equal('42');
    expect(idText(2 * ID_SPACE + 42)).to.equal('2.42');
    expect(idText(ID_SPACE + 1)).to.equal('1.1');
  });

  it('prints a ref as <Name#id>, with @thread off the main thread, in toString and inspect alike', () => {
    const rt = new Runtime({ controller: new TaskletController() });
    try {
      const here = rt.bindRef(42, 0, 'Account');
      const there = rt.bindRef(2 * ID_SPACE + 7, 1, 'Account');
      expect(String(here)).to.equal('<Account#42>');
      expect(String(there)).to.equal('<Account#2.7@1>');
      expect(inspect(there)).to.equal('<Account#2.7@1>');
      expect(inspect({ to: there })).to.equal('{ to: <Account#2.7@1> }');
      expect(`${there}`).to.equal('<Account#2.7@1>');
    } finally {
      void rt.shutdown();
    }
  });

  it('prints a reply address as the call and its caller', () => {
    const rt = new Runtime({ controller: new TaskletController() });
    try {
      expect(String(new ReplyRef(42, 0, 7, rt))).to.equal('<reply#7 to #42>');
      expect(String(new ReplyRef(ID_SPACE + 3, 1, 7, rt))).to.equal('<reply#7 to #1.3@1>');
      expect(inspect(new ReplyRef(0, 0, 9, rt))).to.equal('<reply#9 to top level>');
    } finally {
      void rt.shutdown();
    }
  });
});

describe('printing: refs and proxies on tasklets', () => {
  it('console.log-style inspect of a proxy and its ref shows the actor, not the cell or runtime', async () => {
    const rt = new Runtime({ controller: new TaskletController() });
    const account = rt.spawn(Account);
    await account.add(1, 2);
    expect(inspect(account))
      .to.equal(`ActorProxy${account.ref}`)
      .and.match(/^ActorProxy<Account#\d+>$/);
    expect(inspect(account.ref)).to.match(/^<Account#\d+>$/);
    expect(inspect([account, account.ref], { depth: 10, showHidden: true })).to.not.match(INTERNALS);
    expect(String(account)).to.equal(inspect(account));
    await rt.shutdown();
  });

  it('prints a proxy whose ref cannot be read without throwing', () => {
    const odd = Object.create(ActorProxy.prototype, {
      ref: {
        get() {
          throw new Error('no');
        },
      },
    });
    expect(inspect(odd)).to.equal('ActorProxy<?>');
    expect(inspect(Object.create(ActorProxy.prototype))).to.equal('ActorProxy<no actor>');
  });
});

describe('printing: errors', () => {
  const rt = new Runtime({ controller: new TaskletController() });
  after(() => rt.shutdown());
  const ref = () => rt.bindRef(ID_SPACE + 5, 1, 'Account');

  it('prints name, code, message, the program frames and the fields, with the actor as <Account#…>', () => {
    const err = new ActorExitedError('closed', ref());
    const text = inspect(err);
    const lines = text.split('\n');
    expect(lines[0]).to.equal(
      "ActorExitedError [ERR_PARLEY_ACTOR_EXITED]: <Account#1.5@1> exited before it replied (reason: 'closed')",
    );
    expect(text).to.include('actor: <Account#1.5@1>').and.include("reason: 'closed'");
    expect(text).to.include('printing.test.ts'); // this test's own frame
    expect(text).to.not.match(INTERNALS);
    expect(lines.length).to.be.below(20);
  });

  it("hides Parley's own frames and counts them (err.stack keeps them)", () => {
    let err: unknown;
    try {
      new ActorProxy(42 as unknown as ActorRef);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(InvalidArgumentError);
    const text = inspect(err);
    expect(text).to.not.match(/src[/\\]actors[/\\]proxy\.ts/);
    expect(text).to.match(/… \d+ frames? inside parley-actors or node not shown/);
    expect(text).to.match(/at .*printing\.test\.ts/);
    expect((err as Error).stack).to.match(/src[/\\]actors[/\\]proxy\.ts/);
  });

  it('summarises the cause in a few lines instead of dumping it', () => {
    const boom = new Error('boom');
    const err = new ChildStartError('db', boom);
    const text = inspect(err);
    expect(text).to.include('[cause]: Error: boom');
    expect(text).to.include('reason: [Error: boom]');
    const causeLines = text.slice(text.indexOf('[cause]')).split('\n');
    // the summary line, ≤ 3 frames, the counts of frames not shown
    expect(causeLines.length).to.be.at.most(6);
  });

  it('prints an error nested beyond the depth as one line', () => {
    const err = new CallTimeoutError('add', 100, ref());
    expect(inspect({ a: { b: { c: err } } }, { depth: 1 })).to.include('[Object]');
    expect(inspect({ a: err }, { depth: 0 })).to.include(
      "[CallTimeoutError [ERR_PARLEY_CALL_TIMEOUT]: call 'add' to <Account#1.5@1> got no reply",
    );
  });

  it("keeps the actor out of a print that ignores Parley's hook (Node's report of an uncaught error)", () => {
    const err = new NoSuchActorError(ref());
    expect(err.actor?.equals(ref())).to.equal(true);
    expect(Object.keys(err)).to.not.include('actor');
    const raw = inspect(err, { customInspect: false, depth: 5 });
    expect(raw).to.not.match(INTERNALS);
    expect(raw.split('\n').length).to.be.below(20);
  });
});

describe('printing: consoleLogger', () => {
  afterEach(() => sinon.restore());

  it("logs a crash with the program's frames, counting Parley's and Node's", () => {
    const out = sinon.stub(console, 'error');
    const err = new Error('boom');
    err.stack = [
      'Error: boom',
      '    at Account.boom (/app/src/bank.ts:3:9)',
      `    at invoke (${new URL('../../src/actors/handles.ts', import.meta.url).pathname}:150:17)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    consoleLogger.error('<Account#1> crashed: boom', { error: err });
    expect(out.firstCall.args[0]).to.equal(
      '[parley] error: <Account#1> crashed: boom\nError\n    at Account.boom (/app/src/bank.ts:3:9)\n' +
        '    … 2 frames inside parley-actors or node not shown',
    );
  });

  it("says a crash's text once: the stack's first line keeps the error's name and code, not the text", () => {
    const out = sinon.stub(console, 'error');
    const err = new TypeError('x is not a function');
    err.stack = 'TypeError: x is not a function\n    at Account.boom (/app/src/bank.ts:3:9)';
    consoleLogger.error('<Account#1> crashed: x is not a function', { error: err });
    expect(out.firstCall.args[0]).to.equal(
      '[parley] error: <Account#1> crashed: x is not a function\nTypeError\n    at Account.boom (/app/src/bank.ts:3:9)',
    );
    const coded = new InvalidArgumentError('bad thing');
    coded.stack = 'InvalidArgumentError: bad thing\n    at main (/app/src/main.ts:1:1)';
    consoleLogger.error('<main#1> crashed: bad thing', { error: coded });
    expect(out.secondCall.args[0]).to.equal(
      '[parley] error: <main#1> crashed: bad thing\nInvalidArgumentError [ERR_PARLEY_INVALID_ARGUMENT]\n' +
        '    at main (/app/src/main.ts:1:1)',
    );
  });

  it("logs the whole stack of an error that has no frame of the program (Parley's own trouble)", () => {
    const out = sinon.stub(console, 'error');
    const err = new Error('internal');
    err.stack = `Error: internal\n    at Scheduler.drain (${new URL('../../src/actors/scheduler.ts', import.meta.url).pathname}:1:1)`;
    consoleLogger.error('internal scheduler error', { error: err });
    expect(out.firstCall.args[0]).to.equal(`[parley] error: internal scheduler error\n${err.stack}`);
  });
});

describe('printing: an uncaught ActorExitedError', () => {
  function run(mode: string): { status: number | null; stderr: string } {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/uncaught-exit.ts', mode], {
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    return { status: r.status, stderr: r.stderr };
  }

  it('from run() prints in under 30 lines, naming main and the reason', function () {
    this.timeout(70_000);
    const r = run('run');
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.include("ActorExitedError: <main#1> exited (reason: 'gave up')");
    expect(r.stderr).to.include("reason: 'gave up'");
    expect(r.stderr).to.not.match(INTERNALS);
    expect(r.stderr.trim().split('\n').length, r.stderr).to.be.below(30);
  });

  it('from a call to an actor on a worker thread prints in under 30 lines, naming it and the reason', function () {
    this.timeout(70_000);
    const r = run('call');
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(
      /ActorExitedError: <Account#\d+@1> exited before it replied \(reason: 'closed'\)/,
    );
    expect(r.stderr).to.include("reason: 'closed'");
    expect(r.stderr).to.not.match(INTERNALS);
    expect(r.stderr.trim().split('\n').length, r.stderr).to.be.below(30);
  });
});
