/**
 * The conformance suite's cluster leg: one nats-server and one peer host process (peer-host.ts) for the
 * whole mocha run, both started on first use and stopped when mocha's root suite ends (or the process
 * exits). Each test gets a cluster of its own (`c<pid>x<k>`) with two nodes: `here` (the runtime the
 * harness makes, in this process) and `peer` (a fresh runtime in the peer host process). A cluster per
 * test keeps tests apart: no heartbeat, goodbye or late packet of one test reaches the next.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'node:v8';
import { type ClusterOptions, type Logger, type Runtime, TaskletController } from '../../src/index.js';
import { NatsServer } from '../cluster/nats-server.js';
import type { PeerAnswer, PeerRequest } from './peer-host.js';

const HOST = fileURLToPath(new URL('./peer-host.ts', import.meta.url));
/** The package root: actor classes are found on the other node by their module path relative to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Nodes of a test cluster are not declared down for this long: a loaded machine delays heartbeats. */
const DOWN_AFTER = 20_000;

/** This process's node and the other node of a test's cluster. */
export const HERE = 'here';
export const PEER = 'peer';

/**
 * The cluster leg's controller: one thread per node (messages copied, as between nodes), and new
 * importable actors spawned on this node without a place go to the other node (as a ThreadController puts
 * them on its worker threads, never on the main thread). Plain functions, and actors whose spawn args only
 * this node can hold, stay where they are spawned, as on threads. (Alternating between the nodes spread
 * them more, but a spawn that falls back to this node then uses up the other node's turn.)
 */
export class SpreadController extends TaskletController {
  private rt: Runtime | undefined;
  readonly placement = {
    next: (_live: number[], self: number): number => {
      const cluster = this.rt?.cluster as unknown as { placeOn(node: string): number } | undefined;
      return cluster === undefined ? self : cluster.placeOn(PEER);
    },
  };

  constructor() {
    super({ copyMessages: true });
  }

  override attach(runtime: Runtime): void {
    super.attach(runtime);
    this.rt = runtime;
  }
}

type Ask = {
  [K in PeerRequest['op']]: Omit<Extract<PeerRequest, { op: K }>, 'id'> & { op: K };
}[PeerRequest['op']];

class PeerHost {
  private next = 1;
  private readonly waiting = new Map<number, (a: PeerAnswer & { op: 'answer' }) => void>();
  /** A log line of the peer (over IPC before its node has connected, over NATS after). */
  deliverLog(cluster: string, level: keyof Logger, text: string, fields: unknown): void {
    if (process.env.PARLEY_PEER_LOG === '1') {
      process.stderr.write(
        `[${cluster} peer ${level}] ${text} ${(fields as { error?: Error })?.error?.stack ?? ''}\n`,
      );
    }
    const to = this.logTo;
    if (to !== undefined && to.cluster === cluster) to.logger[level](text, fields as never);
  }

  /** Where the peer's log lines and recorded events go (the current test's), by the peer cluster. */
  logTo: { cluster: string; logger: Logger; rt: Runtime } | undefined;
  cluster = '';
  output = '';

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (a: PeerAnswer) => {
      if (a.op === 'event') {
        const to = this.logTo;
        if (to !== undefined && to.cluster === this.cluster) {
          (to.rt as unknown as { recording: { forwarded(e: unknown): void } }).recording.forwarded(a.event);
        }
        return;
      }
      if (a.op === 'log') return this.deliverLog(this.cluster, a.level, a.text, a.fields);
      const w = this.waiting.get(a.id);
      this.waiting.delete(a.id);
      w?.(a);
    });
    proc.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
  }

  static async start(): Promise<PeerHost> {
    const proc = spawn(process.execPath, ['--import', 'tsx', HOST], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const host = new PeerHost(proc);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`peer host did not start in 60 s:\n${host.output}`)),
        60_000,
      );
      host.waiting.set(0, () => {
        clearTimeout(timer);
        resolve();
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`peer host exited (${code}):\n${host.output}`));
      });
    });
    return host;
  }

  ask(r: Ask, ms = 60_000): Promise<PeerAnswer & { op: 'answer' }> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`peer host did not answer '${r.op}' in ${ms} ms:\n${this.output}`));
      }, ms);
      this.waiting.set(id, (a) => {
        clearTimeout(timer);
        if (a.error !== undefined) reject(new Error(`peer host: ${a.error}`));
        else resolve(a);
      });
      this.proc.send({ ...r, id });
    });
  }

  stop(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.disconnect();
  }
}

let shared: Promise<{ nats: NatsServer; host: PeerHost }> | undefined;
let tests = 0;

function both(): Promise<{ nats: NatsServer; host: PeerHost }> {
  if (shared === undefined) {
    shared = (async () => {
      const nats = await NatsServer.start();
      const host = await PeerHost.start();
      // Mocha's root suite ends: stop both (also on an abrupt exit, where no hook runs).
      process.once('exit', () => {
        host.proc.kill('SIGKILL');
        void nats.kill();
      });
      return { nats, host };
    })();
  }
  return shared;
}

/** Stops the server and the peer host, if they were started (a root `after` hook calls it). */
export async function stopClusterLeg(): Promise<void> {
  if (shared === undefined) return;
  const { nats, host } = await shared;
  shared = undefined;
  const exited = new Promise((r) => host.proc.once('exit', r));
  host.stop();
  const kill = setTimeout(() => host.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(kill);
  await nats.stop();
}

/** One test's two-node cluster: the options for this process's runtime, and the peer node, already up. */
export interface TestCluster {
  options: ClusterOptions;
  /** The peer's node key (`peer~incarnation`) and worker threads, to introduce it to this node at once. */
  peerKey: string;
  peerThreads: number[];
  /**
   * Passes the test's runtime options that the peer's actors see (call and shutdown timeouts), and whether
   * the test records (the peer's events then go to `rt`'s recording).
   */
  configure(o: { callTimeout?: number; shutdownTimeout?: number; record?: boolean }): void;
  /**
   * Shuts the peer's runtime down (once; again: the same answer); resolves with its stats() after. With
   * `from` (a runtime of this test's cluster), first lets everything `from` has sent reach the peer: it
   * waits for `from` to join, then sends a fence on its connection that the peer awaits.
   */
  stopPeer(from?: Runtime): Promise<unknown>;
  /** Sends the peer's log lines to `logger`, its recorded events to `rt`'s recording, from now on. */
  logTo(logger: Logger, rt: Runtime): void;
}

/** Starts a new cluster for one test, with its peer node up in the peer host process. */
export async function startTestCluster(): Promise<TestCluster> {
  const { nats, host } = await both();
  const cluster = `c${process.pid}x${++tests}`;
  host.cluster = cluster;
  let stopped: Promise<unknown> | undefined;
  const a = await host.ask({
    op: 'start',
    nats: nats.url,
    cluster,
    node: PEER,
    root: ROOT,
    downAfter: DOWN_AFTER,
  });
  return {
    options: {
      servers: nats.url,
      name: cluster,
      node: HERE,
      insecure: true,
      root: ROOT,
      downAfter: DOWN_AFTER,
    },
    peerKey: a.key!,
    peerThreads: a.threads ?? [],
    configure(o) {
      void host.ask({ op: 'configure', ...o }).catch(() => {});
    },
    stopPeer(from) {
      stopped ??= (async () => {
        let fence = false;
        if (from !== undefined) {
          try {
            await from.connectNode(HERE); // this node has joined (what waited for the connection is sent)
            const nc = (from.cluster as unknown as { connection?: { publish(s: string): void } }).connection;
            nc?.publish(`parley-fence.${cluster}`);
            fence = nc !== undefined;
          } catch {
            // not joined (shut down before it could): nothing of it to wait for
          }
        }
        return (await host.ask({ op: 'stop', fence })).stats;
      })();
      return stopped;
    },
    logTo(logger, rt) {
      host.logTo = { cluster, logger, rt };
      // The peer's log lines come over NATS, on this runtime's own connection (ordered with the replies).
      const transport = rt.cluster as unknown as {
        connection?: NatsLike;
        onConnect: ((nc: NatsLike) => void) | undefined;
      };
      const listen = (nc: NatsLike) => {
        nc.subscribe(`parley-log.${cluster}`, {
          callback: (err, m) => {
            if (err !== null) return;
            try {
              const a = deserialize(m.data) as {
                level: keyof Logger;
                text: string;
                fields?: unknown;
              };
              host.deliverLog(cluster, a.level, a.text, a.fields);
            } catch {
              // not a log line
            }
          },
        });
      };
      if (transport.connection !== undefined) listen(transport.connection);
      else transport.onConnect = listen;
    },
  };
}

/** The part of a NATS connection the log forwarding uses. */
interface NatsLike {
  subscribe(
    subject: string,
    opts: { callback: (err: Error | null, m: { data: Uint8Array }) => void },
  ): unknown;
}
