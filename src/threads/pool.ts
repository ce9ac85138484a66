/**
 * The worker threads of a runtime, seen from the main thread: starting them (with a port to every other
 * thread), noticing when one dies (its actors exit 'noconnection' everywhere, and a pool thread is
 * replaced), and stopping them all at shutdown so that nothing keeps the process alive.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Runtime } from '../runtime/runtime.js';
import { Fabric, type Packet } from './fabric.js';

/** @internal What a worker thread is started with. */
export interface WorkerSetup {
  thread: number;
  main: MessagePort;
  peers: [number, MessagePort][];
  live: number[];
  dedicated: boolean;
  callTimeout: number | undefined;
  record: boolean;
  /** Low-latency mode: µs a worker polls its lanes when it runs out of work (0: off). */
  spinMicros: number;
  /** The runtime's shared count of cross-thread signals. */
  crossings: SharedArrayBuffer;
}

const here = import.meta.url;
const fromSource = here.endsWith('.ts');
const hostUrl = new URL(fromSource ? '../controllers/worker-host.ts' : '../controllers/worker-host.js', here)
  .href;

/**
 * Parley itself runs as CommonJS: tsx compiles the ES modules a CommonJS program `require()`s (Parley
 * included) to CommonJS. A worker must then load its host the same way, so that the program's modules it
 * imports there (which `require('parley-actors')`) and the host share one copy of Parley.
 */
const asCommonJs =
  typeof module === 'object' &&
  module !== null &&
  typeof require === 'function' &&
  here.startsWith('file:') &&
  require.cache?.[fileURLToPath(here)] !== undefined;

/** tsx's API `which` (ESM or CommonJS), when the program runs under tsx: a worker needs it to load TypeScript. */
function tsxApi(which: './esm/api' | './cjs/api'): string | undefined {
  const underTsx = fromSource || process.execArgv.some((a) => a.includes('tsx'));
  if (!underTsx) return undefined;
  try {
    const require = createRequire(here);
    const pkg = require.resolve('tsx/package.json');
    const rel = (require(pkg) as { exports: Record<string, { import: { default: string } }> }).exports[which]!
      .import.default;
    return new URL(rel, pathToFileURL(pkg)).href;
  } catch {
    return undefined;
  }
}

const tsxEsm = tsxApi('./esm/api');
const tsxCjs = asCommonJs ? tsxApi('./cjs/api') : undefined;
const bootstrap = new URL(
  `data:text/javascript,${encodeURIComponent(
    (tsxEsm === undefined
      ? ''
      : `const { register } = await import(${JSON.stringify(tsxEsm)}); register();\n`) +
      (tsxCjs === undefined
        ? `await import(${JSON.stringify(hostUrl)});\n`
        : `const cjs = await import(${JSON.stringify(tsxCjs)}); cjs.register();\n` +
          `const { createRequire } = await import('node:module');\n` +
          `createRequire(${JSON.stringify(hostUrl)})(${JSON.stringify(fileURLToPath(hostUrl))});\n`),
  )}`,
);

/** @internal */
export class WorkerPool {
  private readonly workers = new Map<
    number,
    { worker: Worker; dedicated: boolean; exited: Promise<void>; ready: boolean }
  >();
  private nextThread = 1;
  private closing = false;
  readonly fabric: Fabric;

  constructor(
    private readonly rt: Runtime,
    private readonly options: { record: boolean; spinMicros?: number },
  ) {
    this.fabric = new Fabric(rt, { onPacket: (p, from) => this.onPacket(p, from) });
  }

  /** The pool's worker threads (not the dedicated ones). */
  private poolThreads(): number[] {
    return [...this.workers].filter(([, w]) => !w.dedicated).map(([t]) => t);
  }

  /** Starts a worker thread; returns its number at once (packets for it queue until it runs). */
  start(dedicated: boolean): number {
    const thread = this.nextThread++;
    const toMain = new MessageChannel();
    const peers: [number, MessagePort][] = [];
    for (const t of this.workers.keys()) {
      const ch = new MessageChannel();
      peers.push([t, ch.port1]);
      this.fabric.flush(); // keep order: everything queued for t goes before the new port
      this.fabric.postTransfer(t, { op: 'connect', thread, port: ch.port2 }, [ch.port2]);
    }
    const live = dedicated ? this.poolThreads() : [...this.poolThreads(), thread];
    const setup: WorkerSetup = {
      thread,
      main: toMain.port2,
      peers,
      live,
      dedicated,
      callTimeout: this.rt.callTimeout, // calls made from a worker thread default to the runtime's option
      record: this.options.record,
      spinMicros: this.options.spinMicros ?? 0,
      crossings: this.fabric.crossings.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(bootstrap, {
      workerData: setup,
      transferList: [toMain.port2, ...peers.map(([, p]) => p)],
      stderr: false,
      stdout: false,
    });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.on('error', (err) => {
      this.rt.logger.error(
        `worker thread ${thread} died: ${err instanceof Error ? err.message : String(err)}`,
        {
          thread,
          error: err,
        },
      );
    });
    worker.once('exit', (code) => this.onExit(thread, code));
    this.workers.set(thread, { worker, dedicated, exited, ready: false });
    this.fabric.connect(thread, toMain.port1);
    if (!dedicated) this.setLive(live);
    return thread;
  }

  /** Stops every worker thread; resolves when all have exited. */
  async close(): Promise<void> {
    this.closing = true;
    this.fabric.flush();
    const all = [...this.workers.values()];
    await Promise.all(all.map((w) => w.worker.terminate().then(() => w.exited)));
    this.workers.clear();
  }

  /** Terminates one worker thread, e.g. the thread of a dedicated actor that has exited. */
  retire(thread: number): void {
    const w = this.workers.get(thread);
    if (w === undefined) return;
    this.workers.delete(thread);
    this.lose(thread);
    void w.worker.terminate();
  }

  /** Kills a worker thread as a crash would (for tests of thread loss). */
  kill(thread: number): void {
    void this.workers.get(thread)?.worker.terminate();
  }

  get threads(): number[] {
    return [...this.workers.keys()];
  }

  private onExit(thread: number, code: number): void {
    const w = this.workers.get(thread);
    if (w === undefined || this.closing) return;
    this.workers.delete(thread);
    // A thread that never got going (it could not load) is not replaced: that would fail forever.
    const replace = !w.dedicated && w.ready;
    this.rt.logger.error(
      `worker thread ${thread} exited (code ${code}): its actors exit with 'noconnection'` +
        (replace ? '; starting a replacement thread' : w.ready ? '' : ' (it never started: not replaced)'),
      { thread, code },
    );
    this.lose(thread);
    if (replace) this.start(false);
  }

  /** Tells every thread that `thread` is gone, and updates the live list. */
  private lose(thread: number): void {
    for (const t of this.workers.keys()) this.fabric.send(t, { op: 'threadDown', thread });
    this.fabric.threadDown(thread);
    this.setLive(this.poolThreads());
  }

  private setLive(live: number[]): void {
    this.fabric.live = live;
    for (const t of this.workers.keys()) this.fabric.send(t, { op: 'threads', live });
  }

  private onPacket(p: Packet, from: number): boolean {
    if (p.op === 'ready') {
      const w = this.workers.get(from);
      if (w !== undefined) w.ready = true;
      return true;
    }
    if (p.op !== 'retire') return false;
    this.retire(from);
    return true;
  }
}
