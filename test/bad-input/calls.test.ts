/**
 * Bad input at the entry points of calls, sends, receives, exit trapping, links, monitors and exit signals:
 * each mistake is refused at the caller's side with a named error (a sync API throws, an async one rejects),
 * before anything is sent, and the actor addressed never sees it. Placement-dependent cases (a worker
 * thread killed by a caller's bad args, a TypeError from the lane writer) are in
 * test/conformance/bad-input-calls.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { type Deadline, Deadlines } from '../../src/actors/deadlines.js';
import { MAX_TIMEOUT_MS } from '../../src/core/validate.js';
import {
  Actor,
  ActorExitedError,
  CallTimeoutError,
  demonitor,
  exit,
  handles,
  InvalidArgumentError,
  InvalidOptionError,
  link,
  type Message,
  me,
  monitor,
  NoCurrentActorError,
  ReceiveTimeoutError,
  Runtime,
  type RuntimeOptions,
  recv,
  send,
  spawn,
  trapExit,
  unlink,
} from '../../src/index.js';
import { Probe } from '../conformance/actors.js';
import { spyLogger } from '../conformance/harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes `ms` to stop, then notes it in `stopped` (tasklets only: the array is shared by reference). */
class SlowStop extends Actor {
  constructor(
    private readonly ms: number,
    private readonly stopped: string[],
  ) {
    super();
  }

  @handles('ping')
  ping(): string {
    return 'pong';
  }

  override async onStop(reason: unknown): Promise<void> {
    await sleep(this.ms);
    this.stopped.push(`stopped ${String(reason)}`);
  }
}

/** How `f()` failed: it must return a promise that rejects (not throw synchronously, not resolve, not hang). */
async function rejection(f: () => unknown): Promise<unknown> {
  let p: unknown;
  try {
    p = f();
  } catch (err) {
    return expect.fail(`threw synchronously instead of rejecting: ${err}`);
  }
  expect(p, 'returns a promise').to.be.instanceOf(Promise);
  const outcome = await Promise.race([
    (p as Promise<unknown>).then(
      (value) => ({ value }),
      (error) => ({ error }),
    ),
    sleep(2000).then(() => 'pending' as const),
  ]);
  if (outcome === 'pending') return expect.fail('still pending after 2 s');
  if ('value' in outcome) return expect.fail(`resolved with ${String(outcome.value)}`);
  return outcome.error;
}

/** How `f()` failed: it must throw synchronously. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return expect.fail('did not throw');
}

/** A fresh runtime, shut down after `body` (which may use it); the logger is a spy. */
async function withRuntime<T>(
  body: (rt: Runtime, logger: ReturnType<typeof spyLogger>) => Promise<T>,
  options: Omit<RuntimeOptions, 'logger'> = {},
): Promise<T> {
  const logger = spyLogger();
  const rt = new Runtime({ ...options, logger });
  try {
    return await body(rt, logger);
  } finally {
    await rt.shutdown();
  }
}

/** The timeouts refused everywhere: each is neither a number of ms from 0 to 2^31 − 1 nor Infinity. */
const BAD_TIMEOUTS: [string, unknown][] = [
  ["the numeric string '100'", '100'],
  ['NaN', Number.NaN],
  ['a negative number', -1],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['2^31 ms (one more than a Node timer holds)', 2 ** 31],
  ['null', null],
  ['an object', { ms: 100 }],
];

/** What the message of a refused timeout says (the shared wording of core/validate.ts). */
const TIMEOUT_PROBLEM =
  /must (be a number of ms, or Infinity for no timeout|not be negative|be at most 2147483647 ms)/;

describe('Bad input: timeouts (a number of ms from 0 to 2^31 − 1, or Infinity for none)', () => {
  for (const [label, bad] of BAD_TIMEOUTS) {
    it(`rejects a call with { timeout: ${label} } with InvalidOptionError, before sending`, async () => {
      await withRuntime(async (rt) => {
        const p = rt.spawn(Probe);
        const err = await rejection(() => p.call('incr', [1], undefined, { timeout: bad as number }));
        expect(err).to.be.instanceOf(InvalidOptionError);
        expect((err as Error).message)
          .to.match(/^call options\.timeout /)
          .and.match(TIMEOUT_PROBLEM);
        expect(await p.call('get'), 'the callee never saw the call').to.equal(0);
        expect(rt.stats().calls, 'no call is left pending').to.equal(0);
      });
    });

    it(`rejects recv(filter, { timeout: ${label} }) with InvalidOptionError`, async () => {
      await withRuntime(async (rt) => {
        const err = await rt.run(() => rejection(() => recv('x', { timeout: bad as number })));
        expect(err).to.be.instanceOf(InvalidOptionError);
        expect((err as Error).message)
          .to.match(/^recv options\.timeout /)
          .and.match(TIMEOUT_PROBLEM);
      });
    });

    it(`refuses the Runtime options callTimeout and shutdownTimeout ${label} with InvalidOptionError`, () => {
      for (const name of ['callTimeout', 'shutdownTimeout']) {
        const err = thrown(() => new Runtime({ [name]: bad }));
        expect(err).to.be.instanceOf(InvalidOptionError);
        expect((err as Error).message)
          .to.match(new RegExp(`^options\\.${name} `))
          .and.match(TIMEOUT_PROBLEM);
      }
    });
  }

  it('accepts a call timeout of 0: a call nobody answers at once times out at the next timer turn', async () => {
    await withRuntime(async (rt) => {
      const p = rt.spawn(Probe);
      const err = await rejection(() => p.call('never', [], undefined, { timeout: 0 }));
      expect(err).to.be.instanceOf(CallTimeoutError);
      expect((err as CallTimeoutError).timeout).to.equal(0);
    });
    const rt = new Runtime({ callTimeout: 0, shutdownTimeout: 0, logger: spyLogger() });
    await rt.shutdown();
  });

  it('takes a call { timeout: Infinity } as no timeout: no deadline, no timer, no TimeoutOverflowWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await withRuntime(async (rt) => {
        const p = rt.spawn(Probe);
        const pending = p.call('never', [], undefined, { timeout: Number.POSITIVE_INFINITY });
        const settled = pending.then(
          () => 'resolved',
          (err: unknown) => err,
        );
        await sleep(50);
        expect(rt.stats().calls).to.equal(1);
        expect(rt.stats().deadlines, 'no deadline for an infinite timeout').to.equal(0);
        exit(p, 'kill');
        expect(await settled).to.be.instanceOf(ActorExitedError);
      });
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).to.deep.equal([]);
  });

  it('takes the Runtime options callTimeout and shutdownTimeout Infinity as no timeout (recv too)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const log: string[] = [];
    try {
      await withRuntime(
        async (rt) => {
          const p = rt.spawn(Probe);
          const call = p.call('never').catch((err: unknown) => err);
          const received = rt.run(async () => {
            const got = recv('late', { timeout: Number.POSITIVE_INFINITY });
            await sleep(50);
            expect(rt.stats().deadlines, 'no deadline for a call or recv without timeout').to.equal(0);
            send(me(), 'late', 1);
            return got;
          });
          expect((await received)[0]).to.equal('late');
          expect(await call).to.be.instanceOf(ActorExitedError); // run() stopped the Probe
          // Shutdown waits for an actor that takes its time to stop (200 ms), rather than killing it.
          const slow = new Runtime({
            logger: spyLogger(),
            shutdownTimeout: Number.POSITIVE_INFINITY,
          });
          await slow.spawn(SlowStop, 200, log).call('ping');
          await slow.shutdown();
        },
        { callTimeout: Number.POSITIVE_INFINITY, shutdownTimeout: Number.POSITIVE_INFINITY },
      );
    } finally {
      process.off('warning', onWarning);
    }
    expect(log).to.deep.equal(['stopped shutdown']);
    expect(warnings.map((w) => w.name)).to.deep.equal([]);
  });

  it('never arms a timer for more than 2^31 − 1 ms (a farther deadline re-arms until it is due)', () => {
    const armed: number[] = [];
    let now = 0;
    let fire: (() => void) | undefined;
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        armed.push(ms);
        fire = fn;
        return {};
      },
      clearTimeout: () => {},
    };
    const d = new Deadlines(clock);
    const fired: string[] = [];
    const far: Deadline = { at: 0, slot: -1, fire: () => fired.push('far') };
    d.add(far, 2 * MAX_TIMEOUT_MS + 5);
    expect(armed).to.deep.equal([MAX_TIMEOUT_MS]);
    now += MAX_TIMEOUT_MS;
    fire!();
    expect(fired).to.deep.equal([]);
    now += MAX_TIMEOUT_MS;
    fire!();
    now += 5;
    fire!();
    expect(fired).to.deep.equal(['far']);
    expect(armed).to.deep.equal([MAX_TIMEOUT_MS, MAX_TIMEOUT_MS, 5]);
  });
});

/** Values that are not a message's tag. */
const BAD_TAGS: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['an object', { tag: 'incr' }],
  ['a symbol', Symbol('incr')],
];

/** Values that are not a message's args (an array). */
const BAD_ARGS: [string, unknown][] = [
  ['a number', 5],
  ['a string', 'abc'],
  ['an array-like object', { 0: 1, length: 1 }],
  ['a Set', new Set([1])],
];

/** Values that are not kwargs (a plain object). */
const BAD_KWARGS: [string, unknown][] = [
  ['a string', 'abc'],
  ['a number', 7],
  ['an array', [1, 2]],
  ['a Map', new Map([['a', 1]])],
];

/** Values that are not a sender (an address, or null). */
const BAD_SENDERS: [string, unknown][] = [
  ['undefined', undefined],
  ['a number', 42],
  ['a string', 'me'],
  ['an object without send()', { id: 1 }],
];

describe('Bad input: call, cast and send arguments (refused at the caller, the actor never sees them)', () => {
  /** The Probe saw nothing and is still running; nothing was logged as unhandled. */
  async function untouched(p: ReturnType<Runtime['spawn']>, logger: ReturnType<typeof spyLogger>) {
    expect(await p.call('seen'), 'the actor saw nothing').to.deep.equal([]);
    expect(await p.call('get'), 'the actor ran nothing').to.equal(0);
    expect(logger.warn.called || logger.error.called, 'nothing was logged').to.equal(false);
  }

  for (const [label, bad] of BAD_TAGS) {
    it(`rejects a call, and throws for a cast or send, whose tag is ${label}, with InvalidArgumentError`, async () => {
      await withRuntime(async (rt, logger) => {
        const p = rt.spawn(Probe);
        const err = await rejection(() => p.call(bad as string, [1]));
        expect(err).to.be.instanceOf(InvalidArgumentError);
        expect((err as Error).message).to.match(
          /^proxy\.call\(tag, args, kwargs, options\): tag must be a string/,
        );
        const sync: [string, () => void][] = [
          ['proxy.cast', () => p.cast(bad as string, 1)],
          ['proxy.send', () => p.send(bad as string, null, 1)],
          ['ref.send', () => p.ref.send(bad as string, null, 1)],
          ['ref.sendWith', () => p.ref.sendWith(bad as string, null, [1], {})],
          ['send', () => send(p, bad as string, 1)],
        ];
        for (const [fn, f] of sync) {
          const e = thrown(f);
          expect(e, fn).to.be.instanceOf(InvalidArgumentError);
          expect((e as Error).message, fn).to.match(/tag must be a string/);
          expect((e as Error).message.startsWith(`${fn}(`), (e as Error).message).to.equal(true);
        }
        await untouched(p, logger);
      });
    });
  }

  for (const [label, bad] of BAD_ARGS) {
    it(`rejects a call whose args are ${label} with InvalidArgumentError, and the callee keeps running`, async () => {
      await withRuntime(async (rt, logger) => {
        const p = rt.spawn(Probe);
        const err = await rejection(() => p.call('note', bad as unknown[]));
        expect(err).to.be.instanceOf(InvalidArgumentError);
        expect((err as Error).message).to.match(/args must be an array/);
        const e = thrown(() => p.ref.sendWith('note', null, bad as unknown[], {}));
        expect(e).to.be.instanceOf(InvalidArgumentError);
        await untouched(p, logger);
      });
    });
  }

  for (const [label, bad] of BAD_KWARGS) {
    it(`rejects a call whose kwargs are ${label} with InvalidArgumentError`, async () => {
      await withRuntime(async (rt, logger) => {
        const p = rt.spawn(Probe);
        const err = await rejection(() => p.call('note', [1], bad as never));
        expect(err).to.be.instanceOf(InvalidArgumentError);
        expect((err as Error).message).to.match(/kwargs must be a plain object/);
        const e = thrown(() => p.ref.sendWith('note', null, [1], bad as never));
        expect(e).to.be.instanceOf(InvalidArgumentError);
        await untouched(p, logger);
      });
    });
  }

  for (const [label, bad] of BAD_SENDERS) {
    it(`throws InvalidArgumentError for a raw send whose sender is ${label}`, async () => {
      await withRuntime(async (rt, logger) => {
        const p = rt.spawn(Probe);
        for (const f of [
          () => p.send('incr', bad as null, 1),
          () => p.ref.send('incr', bad as null, 1),
          () => p.ref.sendWith('incr', bad as null, [1], {}),
        ]) {
          const e = thrown(f);
          expect(e).to.be.instanceOf(InvalidArgumentError);
          expect((e as Error).message).to.match(/sender must be an ActorRef \(such as me\(\)\) or null/);
        }
        await untouched(p, logger);
      });
    });
  }

  it('rejects call options that are not an object, or name an unknown option, with InvalidOptionError', async () => {
    await withRuntime(async (rt, logger) => {
      const p = rt.spawn(Probe);
      const notObject = await rejection(() => p.call('incr', [1], undefined, 100 as never));
      expect(notObject).to.be.instanceOf(InvalidOptionError);
      expect((notObject as Error).message).to.match(/^call options must be an object/);
      const typo = await rejection(() => p.call('incr', [1], undefined, { timout: 100 } as never));
      expect(typo).to.be.instanceOf(InvalidOptionError);
      expect((typo as Error).message).to.match(/^call options\.timout is not an option \(known: timeout\)/);
      await untouched(p, logger);
    });
  });

  it('rejects a bad reply (a tag that is not a string) at the replying side, not at the caller', async () => {
    await withRuntime(async (rt) => {
      const errs = await rt.run(async () => {
        // A raw recv() loop answering its call wrongly (refused on its side), then rightly.
        const replier = spawn(async () => {
          const [, sender] = await recv();
          const errors: unknown[] = [];
          for (const f of [
            () => sender!.send(undefined as never, me(), 1),
            () => sender!.send('reply', 42 as never, 1),
          ]) {
            try {
              f();
            } catch (err) {
              errors.push(err);
            }
          }
          sender!.send(
            'reply',
            me(),
            errors.map((e) => (e as Error).name),
          );
        });
        return replier.call('go');
      });
      expect(errs).to.deep.equal(['InvalidArgumentError', 'InvalidArgumentError']);
    });
  });
});

describe('Bad input: recv()', () => {
  const BAD_FILTERS: [string, unknown, RegExp?][] = [
    [
      'an options object in the filter place',
      { timeout: 100 },
      /options come second: recv\(undefined, \{ timeout \}\)/,
    ],
    ['an empty object', {}],
    ['a number', 42],
    ['null', null],
    ['a symbol', Symbol('x')],
  ];
  for (const [label, bad, hint] of BAD_FILTERS) {
    it(`rejects recv() with a filter that is ${label} with InvalidArgumentError`, async () => {
      await withRuntime(async (rt) => {
        const err = await rt.run(() => rejection(() => recv(bad as string)));
        expect(err).to.be.instanceOf(InvalidArgumentError);
        expect((err as Error).message).to.match(
          /^recv\(filter, options\): filter must be a tag \(a string\), a predicate function/,
        );
        if (hint !== undefined) expect((err as Error).message).to.match(hint);
      });
    });
  }

  it('rejects recv options that are not an object, or name an unknown option, with InvalidOptionError, and still takes every valid form', async () => {
    await withRuntime(async (rt) => {
      const { errs, got } = await rt.run(async () => {
        const errs = [
          await rejection(() => recv(undefined, 100 as never)),
          await rejection(() => recv(undefined, { timout: 100 } as never)),
        ];
        // A tag, a predicate, no filter, and a timeout of 0 ("only what is queued now").
        send(me(), 'a', 1);
        send(me(), 'b', 2);
        send(me(), 'c', 3);
        const b = await recv('b', { timeout: 0 });
        const c = await recv((m: Message) => m[0] === 'c', undefined);
        const a = await recv(undefined, { timeout: 0 });
        const none = await recv(undefined, { timeout: 0 }).catch((e: unknown) => e);
        return { errs, got: [b[0], c[0], a[0], none instanceof ReceiveTimeoutError] };
      });
      expect(errs.map((e) => (e as Error).name)).to.deep.equal(['InvalidOptionError', 'InvalidOptionError']);
      expect((errs[1] as Error).message).to.match(
        /^recv options\.timout is not an option \(known: timeout\)/,
      );
      expect(got).to.deep.equal(['b', 'c', 'a', true]);
    });
  });

  it('rejects (does not throw) recv() outside an actor with NoCurrentActorError', async () => {
    expect(await rejection(() => recv())).to.be.instanceOf(NoCurrentActorError);
  });
});

describe('Bad input: trapExit, links, monitors and exit signals', () => {
  for (const bad of ['yes', 1, null, 'false']) {
    it(`throws InvalidArgumentError for trapExit(${JSON.stringify(bad)}) and leaves trapping as it was`, async () => {
      await withRuntime(async (rt) => {
        const got = await rt.run(async () => {
          trapExit(true);
          const err = thrown(() => trapExit(bad as unknown as boolean));
          return { err, still: trapExit(true) };
        });
        expect(got.err).to.be.instanceOf(InvalidArgumentError);
        expect((got.err as Error).message).to.match(/^trapExit\(on\): on must be true or false/);
        expect(got.still, 'trapping is still on').to.equal(true);
      });
    });
  }

  it('throws InvalidArgumentError for link, unlink, monitor, exit and send to something that is not an actor', async () => {
    await withRuntime(async (rt) => {
      const errs = await rt.run(async () =>
        [
          () => link(42 as never),
          () => unlink('x' as never),
          () => monitor({} as never),
          () => exit(undefined as never, 'kill'),
          () => send('db' as never, 'x'),
        ].map(thrown),
      );
      for (const err of errs) expect(err).to.be.instanceOf(InvalidArgumentError);
      expect(errs.map((e) => (e as Error).message.split('(')[0])).to.deep.equal([
        'link',
        'unlink',
        'monitor',
        'exit',
        'send',
      ]);
      expect((errs[0] as Error).message).to.match(/needs an ActorProxy or an ActorRef \(got number 42\)/);
    });
    // At top level, too (no runtime is needed to see that 42 is not an actor).
    expect(thrown(() => exit(42 as never, 'kill'))).to.be.instanceOf(InvalidArgumentError);
  });

  it('throws InvalidArgumentError for exit(actor) without a reason, and the actor lives on', async () => {
    await withRuntime(async (rt) => {
      const p = rt.spawn(Probe);
      const err = thrown(() => exit(p, undefined));
      expect(err).to.be.instanceOf(InvalidArgumentError);
      expect((err as Error).message).to.match(/^exit\(to, reason\): reason is required/);
      expect(await p.call('get')).to.equal(0);
    });
  });

  it("sends a top-level exit signal through the ref's own runtime (no default runtime needed)", async () => {
    await withRuntime(async (rt) => {
      const p = rt.spawn(Probe);
      await p.call('get');
      exit(p, 'kill');
      expect(await rejection(() => p.call('get'))).to.be.instanceOf(Error);
      expect(rt.stats().actors).to.equal(0);
    });
  });

  it('throws InvalidArgumentError for demonitor(garbage) and InvalidOptionError for bad demonitor options', async () => {
    await withRuntime(async (rt) => {
      const p = rt.spawn(Probe);
      const errs = await rt.run(async () => {
        const mref = monitor(p);
        const out = [
          () => demonitor('x' as never),
          () => demonitor(undefined as never),
          () => demonitor(mref, 'flush' as never),
          () => demonitor(mref, { flush: 'yes' } as never),
          () => demonitor(mref, { flsh: true } as never),
        ].map(thrown);
        out.push(demonitor(mref, { flush: true }));
        return out;
      });
      expect(errs.map((e) => (e instanceof Error ? e.name : e))).to.deep.equal([
        'InvalidArgumentError',
        'InvalidArgumentError',
        'InvalidOptionError',
        'InvalidOptionError',
        'InvalidOptionError',
        true,
      ]);
      expect((errs[0] as Error).message).to.match(
        /^demonitor\(monitorRef, options\): monitorRef must be the monitor ref/,
      );
    });
  });
});

describe('Bad input: startThreadController options', () => {
  it('passes spinMicros through to the ThreadController instead of refusing it', function () {
    this.timeout(70_000);
    // In a child process: startThreadController() sets the default runtime of its process for good.
    const program = `
      import { startThreadController } from './src/index.ts';
      const rt = startThreadController({ threads: 1, spinMicros: 50 });
      console.log(rt.controller.spinMicros);
      await rt.shutdown();
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.equal('50\n');
    expect(r.status).to.equal(0);
  });
});

describe('Bad input: register at top level', () => {
  it('names register(), not me(), when register(name) is called outside an actor', function () {
    this.timeout(70_000);
    // In a child process: startTaskletController() sets the default runtime of its process for good.
    const program = `
      import { register, startTaskletController } from './src/index.ts';
      startTaskletController();
      await register('n').then(() => console.log('resolved'), (e) => console.log(e.code, e.message.split(' ')[0]));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect(r.stdout).to.equal('ERR_PARLEY_NO_CURRENT_ACTOR register()\n');
    expect(r.status).to.equal(0);
  });
});

describe('Bad input: a second start-up', () => {
  it('refuses a second start…Controller() while the first default runtime runs, and allows one after its shutdown', function () {
    this.timeout(70_000);
    // In a child process: startTaskletController() sets the default runtime of its process for good.
    const program = `
      import { getDefaultRuntime, startTaskletController, startThreadController } from './src/index.ts';
      startTaskletController();
      for (const f of [startTaskletController, startThreadController]) {
        try { f(); console.log('started'); } catch (e) { console.log(e.code, e.message.split(':')[0]); }
      }
      await getDefaultRuntime().shutdown();
      const rt = startTaskletController();
      console.log(getDefaultRuntime() === rt);
      await rt.shutdown();
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect(r.stdout).to.equal(
      'ERR_PARLEY_RUNTIME_RUNNING startTaskletController()\nERR_PARLEY_RUNTIME_RUNNING startThreadController()\ntrue\n',
    );
    expect(r.status).to.equal(0);
  });
});
