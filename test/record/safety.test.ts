/**
 * Recording never breaks the program: values that cannot be recorded become placeholders, a filter that
 * throws or a file that cannot be written is reported and the program goes on, a path that cannot be
 * opened is a named option error, and a send that was refused is not recorded as sent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  type ExitReason,
  exit,
  InvalidOptionError,
  NotCloneableError,
  type RecordOption,
  Runtime,
  spawn,
  TaskletController,
  ThreadController,
  trapExit,
} from '../../src/index.js';
import { MAX_DEPTH, MAX_LINE } from '../../src/record/json.js';
import { Probe } from '../conformance/actors.js';
import { controllers } from '../conformance/controllers.js';
import { spyLogger } from '../conformance/harness.js';
import { SpawnsUnrecordable } from './actors.js';

/** Every line of a recording, parsed (fails the test if one is not JSON). */
function linesOf(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n'), 'the recording ends with a whole line').to.equal(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`line ${i + 1} of the recording is not JSON: ${String(err)}`);
      }
    });
}

function sendsOf(lines: Record<string, unknown>[], tag: string): Record<string, unknown>[] {
  return lines.filter((l) => l.ev === 'send' && l.tag === tag);
}

function nested(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** The placeholders (`{ $unrecordable: why }`) anywhere in `v`: their whys. */
function placeholders(v: unknown): string[] {
  const found: string[] = [];
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null) continue;
    const why = (x as { $unrecordable?: unknown }).$unrecordable;
    if (typeof why === 'string') found.push(why);
    else stack.push(...Object.values(x));
  }
  return found;
}

const unrecordable: { what: string; make: () => unknown; why: RegExp }[] = [
  {
    what: 'a toJSON that throws',
    make: () => ({
      toJSON() {
        throw new TypeError('boom');
      },
    }),
    why: /^toJSON threw TypeError: boom$/,
  },
  {
    what: 'a getter that throws',
    make: () => ({
      get x(): never {
        throw new Error('getter');
      },
    }),
    why: /^reading 'x' threw Error: getter$/,
  },
  {
    what: 'a Proxy whose traps throw',
    make: () =>
      new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
          ownKeys() {
            throw new Error('trap');
          },
        },
      ),
    why: /Proxy/,
  },
  {
    what: 'a revoked Proxy',
    make: () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
    why: /Proxy/,
  },
  { what: '20,000-deep nesting', make: () => nested(20_000), why: new RegExp(`too deep: over ${MAX_DEPTH}`) },
];

describe('Recording never breaks the program', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-record-safety-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Sends `value` to a Probe (as a note), then asks it things; the replies are the program's results. */
  async function program(record: RecordOption | undefined, ...values: unknown[]): Promise<unknown[]> {
    const rt = new Runtime({ logger: spyLogger(), ...(record === undefined ? {} : { record }) });
    return rt.run(async () => {
      const p = spawn(Probe);
      p.cast('note', ...values);
      const a = await p.incr(2);
      const b = await p.get();
      const seen = (await p.seenList()) as unknown[];
      return [a, b, seen.length];
    });
  }

  for (const { what, make, why } of unrecordable) {
    it(`records ${what} as a placeholder saying why, and the program's results are unchanged`, async () => {
      const file = join(dir, 'run.jsonl');
      const unrecorded = await program(undefined, make());
      const recorded = await program(file, make());
      expect(recorded).to.deep.equal(unrecorded);
      const [note] = sendsOf(linesOf(file), 'note');
      const whys = placeholders(note!.args);
      expect(whys).to.have.length(1);
      expect(whys[0]).to.match(why);
    });
  }

  it('records a value that would make the line too long as a placeholder, the rest of the line as it is', async function () {
    this.timeout(60_000);
    // Five references to a 110 M-character string: over 512 MB of JSON (V8's longest string) in one line.
    const huge = 'x'.repeat(110_000_000);
    const small = 'y'.repeat(1_000_000);
    const file = join(dir, 'huge.jsonl');
    const unrecorded = await program(undefined, huge, small, huge, huge, huge, huge);
    const recorded = await program(file, huge, small, huge, huge, huge, huge);
    expect(recorded).to.deep.equal(unrecorded);
    const [note] = sendsOf(linesOf(file), 'note');
    const args = note!.args as unknown[];
    expect(args[1]).to.equal(small);
    for (const i of [0, 2, 3, 4, 5]) {
      expect((args[i] as { $unrecordable: string }).$unrecordable).to.match(
        new RegExp(`^too large: the line would be over ${MAX_LINE} characters$`),
      );
    }
  });

  describe('every kind of event goes through the same safe serializer', () => {
    const odd = () => ({
      ok: 1,
      toJSON() {
        throw new TypeError('boom');
      },
    });
    const placeholder = { $unrecordable: 'toJSON threw TypeError: boom' };

    it('spawn: an argument', async () => {
      const file = join(dir, 'spawn.jsonl');
      const rt = new Runtime({ record: file, logger: spyLogger() });
      const result = await rt.run(async () => {
        const child = spawn(async (_arg: unknown) => 'child done', odd());
        return child.ref.name;
      });
      expect(result).to.be.a('string');
      const spawns = linesOf(file).filter((l) => l.ev === 'spawn');
      expect(spawns.map((l) => l.args)).to.deep.include([placeholder]);
    });

    it('exit: a crash reason', async () => {
      const file = join(dir, 'exit.jsonl');
      const logger = spyLogger();
      const rt = new Runtime({ record: file, logger });
      const reason = odd();
      await rt
        .run(async () => {
          throw reason;
        })
        .then(
          () => expect.fail('run() resolved'),
          (err: unknown) => expect((err as { reason?: unknown }).reason).to.equal(reason),
        );
      const exits = linesOf(file).filter((l) => l.ev === 'exit');
      expect(exits.map((l) => l.reason)).to.deep.include(placeholder);
    });

    it('signal: the reason of an exit signal', async () => {
      const file = join(dir, 'signal.jsonl');
      const rt = new Runtime({ record: file, logger: spyLogger() });
      const reason: ExitReason = odd();
      const got = await rt.run(async () => {
        const trapper = spawn(async () => {
          trapExit(true);
          return new Promise(() => {});
        });
        exit(trapper.ref, reason);
        return 'sent';
      });
      expect(got).to.equal('sent');
      const signals = linesOf(file).filter((l) => l.ev === 'signal' && l.kind === 'exit');
      expect(signals.map((l) => l.reason)).to.deep.include(placeholder);
    });
  });

  it('records an event whose filter throws, and warns once', async () => {
    const file = join(dir, 'filter.jsonl');
    const logger = spyLogger();
    const rt = new Runtime({
      logger,
      record: {
        to: file,
        filter: () => {
          throw new Error('bad filter');
        },
      },
    });
    const got = await rt.run(async () => {
      const p = spawn(Probe);
      p.cast('note', 1);
      return p.incr(3);
    });
    expect(got).to.equal(3);
    expect(sendsOf(linesOf(file), 'note')).to.have.length(1);
    expect(logger.warn.callCount).to.equal(1);
    expect(String(logger.warn.firstCall.args[0])).to.match(/options\.record\.filter threw Error: bad filter/);
  });

  describe('a recording that cannot be written (disk full: /dev/full) stops, reported once', () => {
    it('when the buffer fills while the program runs', async () => {
      const logger = spyLogger();
      const rt = new Runtime({ record: '/dev/full', logger });
      const got = await rt.run(async () => {
        const p = spawn(Probe);
        const line = 'z'.repeat(100);
        for (let i = 0; i < 2000; i++) p.cast('note', line); // > 64 KB of lines: written while running
        return p.incr(1);
      });
      expect(got).to.equal(1);
      expect(logger.error.callCount).to.equal(1);
      expect(String(logger.error.firstCall.args[0])).to.match(/recording to '\/dev\/full' stopped: .*ENOSPC/);
    });

    it('when the last lines are written at shutdown', async () => {
      const logger = spyLogger();
      const rt = new Runtime({ record: '/dev/full', logger });
      const got = await rt.run(async () => 'done');
      expect(got).to.equal('done');
      expect(logger.error.callCount).to.equal(1);
      expect(String(logger.error.firstCall.args[0])).to.match(/ENOSPC/);
    });
  });

  it('refuses a path whose folder does not exist with InvalidOptionError naming options.record and the folder', () => {
    const folder = join(dir, 'no-such-folder');
    for (const record of [join(folder, 'run.jsonl'), { to: join(folder, 'run.jsonl') }]) {
      let err: unknown;
      try {
        new Runtime({ record, controller: new TaskletController() });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).code).to.equal('ERR_PARLEY_INVALID_OPTION');
      expect((err as Error).message)
        .to.include('options.record')
        .and.include(folder)
        .and.match(/does not exist/);
    }
  });

  for (const controller of controllers.filter((c) => c.copies)) {
    it(`does not record a send that was refused (NotCloneableError) [${controller.name}]`, async function () {
      this.timeout(60_000);
      const file = join(dir, 'refused.jsonl');
      const rt = new Runtime({
        record: file,
        logger: spyLogger(),
        callTimeout: 60_000,
        controller: controller.make(),
      });
      try {
        const on = controller.threads ? { thread: rt.fabricThreads()[0]! } : {};
        const p = rt.spawnWith(on, Probe);
        expect(() => p.cast('note', () => 1)).to.throw(NotCloneableError);
        expect(() => p.call('note', [Symbol('s')])).to.throw(NotCloneableError);
        expect(await p.incr(1)).to.equal(1);
      } finally {
        await rt.shutdown();
      }
      const lines = linesOf(file);
      expect(sendsOf(lines, 'note'), 'no send line for a refused send').to.have.length(0);
      expect(sendsOf(lines, 'incr')).to.have.length(1);
    });
  }

  it('records an event of a worker thread that holds an unrecordable value (a placeholder in its line)', async function () {
    this.timeout(60_000);
    const file = join(dir, 'worker.jsonl');
    const rt = new Runtime({
      record: file,
      logger: spyLogger(),
      callTimeout: 60_000,
      controller: new ThreadController({ threads: 2 }), // a worker thread whatever legs PARLEY_LEGS picks
    });
    try {
      const s = rt.spawnWith({ thread: rt.fabricThreads()[0]! }, SpawnsUnrecordable);
      expect(await s.go()).to.equal('spawned');
    } finally {
      await rt.shutdown();
    }
    const quiet = linesOf(file).filter(
      (l) => l.ev === 'spawn' && (l.to as { name: string }).name === 'Quiet',
    );
    expect(quiet).to.have.length(1);
    expect(quiet[0]!.args).to.deep.equal([
      { ok: 1, bad: { $unrecordable: "reading 'bad' threw Error: no reading me" } },
    ]);
  });
});
