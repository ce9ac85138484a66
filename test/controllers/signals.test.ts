/**
 * SIGINT and SIGTERM: both start-ups (`runtime.run(main)` and PARLEY's `start…Controller(); spawn(main)`)
 * shut down in order on a first signal and then end by it; a second signal forces the exit at once and says
 * what was still stopping; the listeners go when the runtime is down; two runtimes share one listener; a
 * program that listens to a signal itself keeps it. Each case runs test/fixtures/signals.ts in a child
 * process and signals it when it prints `ready` (or the line named), never after a sleep.
 */
import { type ChildProcessWithoutNullStreams, spawn as spawnProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Actor, Runtime, Supervisor } from '../../src/index.js';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When the process ended (Date.now()). */
  at: number;
}

/** A running fixture: its output so far, a wait for a line of its stdout, and its end. */
class Program {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly ended: Promise<Ended>;
  private readonly waiters: { test: (line: string) => boolean; resolve: () => void }[] = [];

  constructor(args: string[]) {
    this.child = spawnProcess(process.execPath, ['--import', 'tsx', 'test/fixtures/signals.ts', ...args]);
    let partial = '';
    this.child.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        for (const w of [...this.waiters]) {
          if (!w.test(line)) continue;
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.ended = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
  }

  /** Resolves when stdout has a line that starts with `start`; rejects if the process ends first. */
  line(start: string): Promise<void> {
    const seen = new Promise<void>((resolve) =>
      this.waiters.push({ test: (l) => l.startsWith(start), resolve }),
    );
    const gone = this.ended.then((e) => {
      throw new Error(
        `the program ended (code ${e.code}, signal ${e.signal}) before printing "${start}"\n` +
          `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
      );
    });
    return Promise.race([seen, gone]);
  }

  /** Sends `signal`; returns when it was sent. */
  signal(signal: NodeJS.Signals): number {
    this.child.kill(signal);
    return Date.now();
  }

  /** Stops the process if a test left it running. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** The stdout lines that start with `start`, in order. */
  lines(start: string): string[] {
    return this.stdout.split('\n').filter((l) => l.startsWith(start));
  }
}

/** The process ended by `signal`: killed by it, or exited with 128 + its number (both mean the same to a shell). */
function expectEndedBy(e: Ended, signal: 'SIGINT' | 'SIGTERM', p: Program): void {
  const code = signal === 'SIGINT' ? 130 : 143;
  expect(e.signal ?? e.code, `how the program ended; stderr:\n${p.stderr}`).to.be.oneOf([signal, code]);
}

interface Event {
  ev: string;
  kind?: string;
  from: { actor: number; name: string; thread: number } | null;
  to?: { actor: number; name: string; thread: number };
  args?: unknown[];
  reason?: unknown;
}

/** Every line of the recording, parsed (a cut line fails the test). */
function readRecording(file: string): Event[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n'), 'the recording ends with a complete line').to.equal(true);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
}

/** The labels of the actors of class `name`, in the order the recording shows them exit. */
function exitOrder(events: Event[], name: string): string[] {
  const labels = new Map<number, string>();
  for (const e of events) {
    if (e.ev === 'spawn' && e.to?.name === name) labels.set(e.to.actor, String(e.args?.[0]));
  }
  return events
    .filter((e) => e.ev === 'exit' && e.from?.name === name)
    .map((e) => `${labels.get(e.from!.actor)} ${String(e.reason)}`);
}

describe('SIGINT and SIGTERM', function () {
  this.timeout(60_000);
  let dir: string;
  let program: Program | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-signals-'));
  });
  afterEach(() => {
    program?.kill();
    program = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function start(...args: string[]): Program {
    program = new Program(args);
    return program;
  }

  describe('a first signal: an orderly shutdown, then the signal ends the process', () => {
    for (const [controller, signal] of [
      ['tasklets', 'SIGINT'],
      ['threads', 'SIGTERM'],
    ] as const) {
      it(`${controller === 'tasklets' ? 'startTaskletController' : 'startThreadController'}(); spawn(main): ${signal} runs every onStop in reverse start order, completes the recording and ends by ${signal}`, async () => {
        const record = join(dir, 'run.jsonl');
        const p = start('parley', controller, 'stop', record);
        await p.line('ready');
        expect(p.lines('listeners')).to.deep.equal(['listeners SIGINT 1 SIGTERM 1']);
        p.signal(signal);
        const ended = await p.ended;
        expectEndedBy(ended, signal, p);
        const where = controller === 'tasklets' ? 'on thread 0' : 'on thread';
        expect(p.lines('stopped').map((l) => l.slice(0, 'stopped a (shutdown)'.length))).to.have.members([
          'stopped a (shutdown)',
          'stopped b (shutdown)',
          'stopped c (shutdown)',
        ]);
        for (const l of p.lines('stopped')) expect(l).to.include(where);
        if (controller === 'threads') expect(p.lines('stopped').join('\n')).to.not.include('thread 0');
        const events = readRecording(record);
        expect(exitOrder(events, 'Service')).to.deep.equal(['c shutdown', 'b shutdown', 'a shutdown']);
        expect(exitOrder(events, 'main')).to.deep.equal(['undefined shutdown']);
      });
    }

    it('startTaskletController(); spawn(main): prints the onStop lines in reverse start order', async () => {
      const p = start('parley', 'tasklets', 'stop');
      await p.line('ready');
      p.signal('SIGINT');
      expectEndedBy(await p.ended, 'SIGINT', p);
      expect(p.lines('stopped')).to.deep.equal([
        'stopped c (shutdown) on thread 0',
        'stopped b (shutdown) on thread 0',
        'stopped a (shutdown) on thread 0',
      ]);
    });

    it('two runtimes in one process share one listener, both shut down in order, then the signal ends the process once', async () => {
      const p = start('parley', 'tasklets', 'two');
      await p.line('ready');
      expect(p.lines('listeners')).to.deep.equal(['listeners SIGINT 1 SIGTERM 1']);
      p.signal('SIGINT');
      expectEndedBy(await p.ended, 'SIGINT', p);
      expect(p.lines('stopped')).to.have.members([
        'stopped a (shutdown) on thread 0',
        'stopped b (shutdown) on thread 0',
      ]);
      expect(p.stdout).to.not.include('run settled');
    });

    it('leaves a signal the program listens to itself to the program (Node: a listener takes the signal over)', async () => {
      const p = start('run', 'tasklets', 'own-handler');
      await p.line('ready');
      // The program's listener and Parley's.
      expect(p.lines('listeners')).to.deep.equal(['listeners SIGINT 2 SIGTERM 1']);
      p.signal('SIGINT');
      const ended = await p.ended;
      expect([ended.code, ended.signal], p.stderr).to.deep.equal([0, null]);
      expect(p.lines('the program got SIGINT')).to.have.length(1);
      // The program shut the runtime down: in order, and Parley's listeners are gone with it.
      expect(p.lines('stopped')).to.deep.equal([
        'stopped c (shutdown) on thread 0',
        'stopped b (shutdown) on thread 0',
        'stopped a (shutdown) on thread 0',
      ]);
      expect(p.lines('run settled')).to.deep.equal(['run settled; listeners SIGINT 1 SIGTERM 0']);
      expect(p.stdout).to.include("run rejected: <main#1> exited (reason: 'shutdown')");
    });
  });

  describe('a second signal during the shutdown: the exit is forced at once', () => {
    for (const [style, controller, first, second] of [
      ['parley', 'tasklets', 'SIGINT', 'SIGINT'],
      ['parley', 'threads', 'SIGTERM', 'SIGTERM'],
      ['run', 'tasklets', 'SIGINT', 'SIGTERM'],
      ['run', 'threads', 'SIGTERM', 'SIGINT'],
    ] as const) {
      const startup =
        style === 'run'
          ? 'runtime.run(main)'
          : `${controller === 'tasklets' ? 'startTaskletController' : 'startThreadController'}(); spawn(main)`;
      it(`${startup}: ${first} then ${second} while three onStops hang (shutdownTimeout 60 s) ends by ${second}, names what was still stopping and flushes the recording`, async () => {
        const record = join(dir, 'run.jsonl');
        const p = start(style, controller, 'hang', record);
        await p.line('ready');
        p.signal(first);
        // The last one started stops first, and hangs.
        await p.line('stopping c (shutdown)');
        const sent = p.signal(second);
        const ended = await p.ended;
        expectEndedBy(ended, second, p);
        expect(ended.at - sent, 'ms from the second signal to the exit').to.be.lessThan(20_000);
        expect(p.lines('stopping')).to.have.length(1);
        const code = second === 'SIGINT' ? 130 : 143;
        expect(p.stderr).to.include(
          `${second} during shutdown (after ${first}): exiting at once with ${second} (code ${code})`,
        );
        const thread = controller === 'tasklets' ? 'on thread 0' : 'on thread [12]';
        expect(p.stderr).to.match(
          new RegExp(
            `without waiting for <Hang#[\\d.]+(?:@\\d)?> ${thread}, stopping for [\\d.]+ s of its 60000 ms shutdownTimeout`,
          ),
        );
        expect(p.stderr).to.match(
          new RegExp(`not stopped yet: <Hang#[\\d.]+(?:@\\d)?> ${thread}, <Hang#[\\d.]+(?:@\\d)?> ${thread}`),
        );
        // What was recorded up to the second signal is on disk: the spawns and the stop of c.
        const events = readRecording(record);
        expect(
          events.filter((e) => e.ev === 'spawn' && e.to?.name === 'Hang').map((e) => e.args),
        ).to.have.deep.members([['a'], ['b'], ['c']]);
        const hangC = events.find((e) => e.ev === 'spawn' && e.args?.[0] === 'c')!.to!.actor;
        expect(
          events.some(
            (e) => e.ev === 'signal' && e.kind === 'exit' && e.to?.actor === hangC && e.reason === 'shutdown',
          ),
          'the exit signal to c is recorded',
        ).to.equal(true);
      });
    }
  });
});

describe('process listeners of runtime.run()', () => {
  const count = () => ['SIGINT', 'SIGTERM', 'beforeExit'].map((e) => process.listenerCount(e));

  it('two runtimes running at once share one SIGINT, SIGTERM and beforeExit listener, removed once the last has shut down', async () => {
    const before = count();
    let release!: () => void;
    const go = new Promise<void>((resolve) => (release = resolve));
    const runA = new Runtime().run(async () => {
      await go;
    });
    let during: number[] = [];
    await new Runtime().run(async () => {
      during = count();
    });
    expect(during, 'while both run').to.deep.equal(before.map((n) => n + 1));
    expect(count(), 'while the first still runs').to.deep.equal(before.map((n) => n + 1));
    release();
    await runA;
    expect(count(), 'once both are done').to.deep.equal(before);
  });
});

describe('what a shutdown cut short reports', () => {
  it('names the top-level actor being stopped with its tree, how long it has been stopping, and those not reached yet', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let stopping!: () => void;
    const reached = new Promise<void>((resolve) => (stopping = resolve));
    class Slow extends Actor {
      override async onStop(): Promise<void> {
        stopping();
        await gate;
      }
    }
    class Plain extends Actor {
      override onStop(): void {}
    }
    const rt = new Runtime({ shutdownTimeout: 60_000 });
    rt.spawn(Plain);
    const sup = rt.spawn(Supervisor, {
      children: [{ id: 'slow', actor: Slow, shutdown: 60_000 }],
    });
    await sup.countChildren();
    expect(rt.stopper.pending(), 'before any shutdown').to.equal('');
    const done = rt.shutdown();
    await reached;
    expect(rt.stopper.pending()).to.match(
      /^<Supervisor#\d+> on thread 0, stopping for [\d.]+ s of its 60000 ms shutdownTimeout \(its tree: <Slow#\d+> on thread 0\); not stopped yet: <Plain#\d+> on thread 0$/,
    );
    open();
    await done;
    expect(rt.stopper.pending(), 'after the shutdown').to.equal('');
  });
});
