/**
 * Runs a describe block once per controller. Each test gets a fresh Runtime (with a sinon-spied silent
 * logger); after each test the runtime is shut down and must hold no actor, call, deadline or name.
 */
import { appendFileSync } from 'node:fs';
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
  type SpawnOptions,
} from '../../src/index.js';
import { HERE, PEER, startTestCluster, stopClusterLeg, type TestCluster } from './cluster-leg.js';
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
  /**
   * Placement: spawn options that put an actor on worker slot `n` (1, 2, …) of the last runtime made.
   * Different slots are different worker threads as long as the controller has that many (slots wrap
   * around the live workers). `0` is the main thread. On a tasklet controller every slot is `{}`: the
   * actor is spawned as before, on the one thread there is, so a test means the same on every controller.
   * On the cluster leg, odd slots are the other node (another process) and even slots this node.
   * Only importable actors (classes with @handles or @actor, functionActors) can be put on a worker.
   */
  on(n: number): SpawnOptions;
  /**
   * Marks the current test as intentionally single-thread: on a thread controller (or the cluster leg) the
   * harness then does not require it to cross threads (or nodes). `why` says what makes the behaviour inherently local. Use sparingly.
   */
  local(why: string): void;
}

/** What the harness uses of a runtime's cluster transport (src/cluster/transport.ts). */
interface ClusterInternals {
  introduce(key: string, threads: number[]): void;
  counters: { packetsOut: number };
}

export function spyLogger(): SpyLogger {
  return { error: sinon.spy(), warn: sinon.spy(), info: sinon.spy(), debug: sinon.spy() };
}

// The cluster leg's nats-server and peer process live for the whole run: stopped when the root suite ends.
if (controllers.some((c) => c.cluster) && typeof after === 'function') after(stopClusterLeg);

/** `describe(title)` once per controller in controllers.ts. */
export function onEveryController(title: string, body: (h: Harness) => void): void {
  for (const controller of controllers) {
    describe(`${title} [${controller.name}]`, () => {
      let made: Runtime[] = [];
      let localWhy: string | undefined;
      /** The cluster leg: this test's cluster, its peer node already up in the other process. */
      let cluster: TestCluster | undefined;
      const h: Harness = {
        controller,
        logger: spyLogger(),
        runtime(options = {}) {
          h.logger = spyLogger();
          // On threads, the first message to a worker waits for it to boot and import the test's modules
          // (seconds on a loaded machine); on the cluster leg, the other node imports them: the default call
          // timeout leaves room for that. A test that is about timeouts passes its own.
          const boot = controller.threads || controller.cluster ? { callTimeout: 15_000 } : {};
          const joined =
            cluster === undefined
              ? {}
              : { cluster: { ...cluster.options, node: made.length === 0 ? HERE : `${HERE}${made.length}` } };
          const rt = new Runtime({
            logger: h.logger,
            ...boot,
            ...options,
            ...joined,
            controller: controller.make(),
          });
          made.push(rt);
          if (cluster !== undefined) {
            // The peer is up already; this node learns its key here instead of from its first heartbeat, so
            // the test can spawn on it at once (what is sent waits for this node's connection).
            (rt.cluster as unknown as ClusterInternals).introduce(cluster.peerKey, cluster.peerThreads);
            cluster.configure({
              callTimeout: options.callTimeout,
              shutdownTimeout: options.shutdownTimeout,
              record: options.record !== undefined,
            });
            cluster.logTo(h.logger, rt);
            // The test's runtime is the test's cluster, as a thread leg's runtime is all its threads: shutting
            // it down (or run() ending) shuts the other node down first (its actors were mostly started
            // later), then this one.
            const peer = cluster;
            const own = rt.shutdown.bind(rt);
            let shutting: Promise<void> | undefined;
            rt.shutdown = () => {
              shutting ??= (async () => {
                await peer.stopPeer(rt).catch(() => undefined);
                await own();
              })();
              return shutting;
            };
          }
          return rt;
        },
        on(n) {
          const rt = made.at(-1);
          if (controller.cluster && rt !== undefined) return { node: n % 2 === 1 ? PEER : rt.node! };
          if (!controller.threads || rt === undefined) return {};
          if (n === 0) return { thread: 'local' };
          const live = rt.fabricThreads();
          return live.length === 0 ? {} : { thread: live[(n - 1) % live.length]! };
        },
        local(why) {
          localWhy = why;
        },
      };
      beforeEach(async function () {
        localWhy = undefined;
        if (controller.cluster) {
          this.timeout(90_000); // the first test starts the nats-server and the peer process
          cluster = await startTestCluster();
        }
      });
      afterEach(async function () {
        // A test that timed out with sinon's fake timers installed never ran its `finally`: real timers
        // back, or the shutdown below and every later test would wait on a clock nobody ticks.
        (globalThis.setTimeout as { clock?: { uninstall?(): void } }).clock?.uninstall?.();
        const rts = made;
        made = [];
        const pending = this.currentTest?.isPending() === true;
        // Read before the harness shuts the runtimes down (shutdown sends signals of its own). A test that
        // shut a runtime down itself (or ran it with run()) counts what that shutdown sent: it is part of it.
        // On the cluster leg: packets sent to the other node.
        const crossed = rts.reduce(
          (n, rt) =>
            n + rt.crossings() + ((rt.cluster as unknown as ClusterInternals)?.counters.packetsOut ?? 0),
          0,
        );
        const peer = cluster;
        cluster = undefined;
        // Every runtime is shut down before any is checked: one left running (a cluster connection) would
        // keep mocha from exiting.
        const shut: PromiseSettledResult<void>[] = [];
        for (const rt of rts) shut.push(...(await Promise.allSettled([rt.shutdown()])));
        const left = peer === undefined ? undefined : await peer.stopPeer();
        for (const [i, rt] of rts.entries()) {
          if (shut[i]!.status === 'rejected') throw (shut[i] as PromiseRejectedResult).reason;
          expect(rt.stats(), 'nothing is left after shutdown').to.deep.equal({
            actors: 0,
            calls: 0,
            deadlines: 0,
            names: 0,
          });
        }
        if (peer !== undefined) {
          expect(left, 'nothing is left on the other node after shutdown').to.deep.equal({
            actors: 0,
            calls: 0,
            deadlines: 0,
            names: 0,
          });
        }
        const crossing = controller.threads || controller.cluster === true;
        if (!crossing || pending || this.currentTest?.state !== 'passed') return;
        tally(controller.name, this.currentTest!.fullTitle(), crossed, localWhy);
        if (localWhy === undefined && crossed === 0) {
          expect.fail(
            `no signal crossed threads or nodes on ${controller.name}: place the partners apart (h.on(n)), ` +
              'or mark the test h.local(why) if its behaviour is inherently single-thread',
          );
        }
      });
      body(h);
    });
  }
}

function surveying(): boolean {
  return (process.env.PARLEY_CROSSINGS ?? '') !== '';
}

/** With PARLEY_CROSSINGS=<file>, each passed thread-leg test's count is also appended to that file (a survey). */
function tally(controller: string, title: string, crossed: number, localWhy: string | undefined): void {
  if (!surveying()) return;
  appendFileSync(
    process.env.PARLEY_CROSSINGS!,
    `${JSON.stringify({ controller, title, crossed, local: localWhy ?? null })}\n`,
  );
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
 * Waits until `done()` holds, at most `ms` (then returns anyway: the assertion that follows says what is
 * wrong). For what another thread reports a little later, such as a log line forwarded from a worker.
 */
export async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

/**
 * Waits until `seen` holds as many notes as `expected` (notes from other threads arrive a little later
 * than the events that follow them), then compares.
 */
export async function expectNotes(seen: string[], expected: string[]): Promise<void> {
  // Bounded: a note that never comes fails the comparison (an endless wait would keep mocha from exiting).
  await until(() => seen.length >= expected.length, 60_000);
  expect(seen).to.deep.equal(expected);
}
