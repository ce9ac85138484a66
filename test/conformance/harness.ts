/**
 * Runs a describe block once per controller. Each test gets a fresh Runtime (with a sinon-spied silent
 * logger); after each test the runtime is shut down and must hold no actor, call, deadline or name.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import {
  type ActorRef,
  type Logger,
  type Message,
  me,
  monitor,
  type RecordEvent,
  Runtime,
  type RuntimeOptions,
  recv,
} from '../../src/index.js';
import { type ControllerEntry, controllers } from './controllers.js';

export interface SpyLogger extends Logger {
  error: sinon.SinonSpy;
  warn: sinon.SinonSpy;
  info: sinon.SinonSpy;
  debug: sinon.SinonSpy;
}

export interface Harness {
  controller: ControllerEntry;
  /** A new runtime on this controller, shut down and leak-checked after the test. */
  runtime(options?: Omit<RuntimeOptions, 'controller'>): Runtime;
  /** The spy logger of the last runtime made. */
  logger: SpyLogger;
}

export function spyLogger(): SpyLogger {
  return { error: sinon.spy(), warn: sinon.spy(), info: sinon.spy(), debug: sinon.spy() };
}

/** `describe(title)` once per controller in controllers.ts. */
export function onEveryController(title: string, body: (h: Harness) => void): void {
  for (const controller of controllers) {
    describe(`${title} [${controller.name}]`, () => {
      let made: Runtime[] = [];
      const h: Harness = {
        controller,
        logger: spyLogger(),
        runtime(options = {}) {
          h.logger = spyLogger();
          const rt = new Runtime({ logger: h.logger, ...options, controller: controller.make() });
          made.push(rt);
          return rt;
        },
      };
      afterEach(async () => {
        const rts = made;
        made = [];
        for (const rt of rts) {
          await rt.shutdown();
          expect(rt.stats(), 'nothing is left after shutdown').to.deep.equal({
            actors: 0,
            calls: 0,
            deadlines: 0,
            names: 0,
          });
        }
      });
      body(h);
    });
  }
}

/** Resolves after `n` turns of the event loop (lets queued messages run; not a timing assumption). */
export async function settle(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Watches `ref` from a helper actor; resolves with its exit reason. Call it before making `ref` exit. */
export function exitOf(rt: Runtime, ref: ActorRef): Promise<unknown> {
  const watcher = rt.spawn(watch);
  return watcher.call('watch', [ref], undefined, { timeout: 60_000 });
}

async function watch(): Promise<void> {
  const [, sender, [target]] = await recv('watch');
  const mref = monitor(target as ActorRef);
  const [, , [reason]] = await recv((m: Message) => m[0] === 'DOWN' && m[2][1] === mref);
  sender?.send('reply', me(), reason);
}

/**
 * A recording that collects the 'note's actors send (`send(log, 'note', text, stamp())`) into `into`, in the
 * order they were sent by the clock. Notes from different threads reach the main thread by different
 * ports, so their arrival order is not their causal order; their stamps are. Writes nothing.
 */
export function notes(into: string[]): { to: string; filter: (e: RecordEvent) => boolean } {
  const stamps: number[] = [];
  return {
    to: '/dev/null',
    filter: (e) => {
      if (e.ev !== 'send' || e.tag !== 'note') return false;
      if (stamps.length > into.length) stamps.length = into.length; // the test emptied `into`
      const t = Number(e.args?.[1] ?? 0);
      let i = stamps.length;
      while (i > 0 && stamps[i - 1]! > t) i--;
      stamps.splice(i, 0, t);
      into.splice(i, 0, String(e.args?.[0]));
      return false;
    },
  };
}

/**
 * Waits until `seen` holds as many notes as `expected` (notes from other threads arrive a little later
 * than the events that follow them), then compares.
 */
export async function expectNotes(seen: string[], expected: string[]): Promise<void> {
  while (seen.length < expected.length) await new Promise((r) => setTimeout(r, 5));
  expect(seen).to.deep.equal(expected);
}
