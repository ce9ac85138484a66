/**
 * The other node of the conformance suite's cluster leg: a long-lived Node process (started by
 * cluster-leg.ts) that, on request from the mocha process over its IPC channel, starts a fresh Runtime
 * joined to a test's cluster, and on a second request shuts it down and answers with what it left behind
 * (so the leak check after each test covers this node too). What the runtime logs goes back to the
 * harness, which hands it to the test's spy logger (as a ThreadController forwards its workers' logs).
 * Actor classes are imported on demand, when a spawn packet names their module. Exits when the mocha
 * process goes away (the IPC channel closes).
 */
import { serialize } from 'node:v8';
import { type Logger, Runtime, TaskletController } from '../../src/index.js';

/** What the harness asks (cluster-leg.ts sends these). */
export type PeerRequest =
  | {
      op: 'start';
      id: number;
      nats: string;
      cluster: string;
      node: string;
      root: string;
      downAfter: number;
    }
  | { op: 'configure'; id: number; callTimeout?: number; shutdownTimeout?: number; record?: boolean }
  | { op: 'stop'; id: number; fence: boolean };

/** What this process answers; `log` lines come unasked, tagged with the node that logged them. */
export type PeerAnswer =
  | { op: 'answer'; id: number; key?: string; threads?: number[]; stats?: unknown; error?: string }
  | { op: 'log'; node: string; level: keyof Logger; text: string; fields?: unknown }
  | { op: 'event'; node: string; event: unknown };

let rt: Runtime | undefined;
/** Where log lines go over NATS (the current cluster's), once the runtime is connected. */
let logSubject: string | undefined;
/** Fences the other node has published (see cluster-leg.ts, FENCE) since this runtime started. */
let fences = 0;
let fenced: (() => void) | undefined;

/** Resolves once a fence has arrived (at most `ms` later: the other node may have had nothing to send). */
function fence(ms: number): Promise<void> {
  if (fences > 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    fenced = () => {
      clearTimeout(t);
      resolve();
    };
  });
}

function reply(a: PeerAnswer): void {
  process.send?.(a);
}

/** Log fields as the IPC channel can carry them (advanced serialization: structured clone). */
function portable(fields: unknown): unknown {
  if (fields === undefined || fields === null || typeof fields !== 'object') return fields;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields as Record<string, unknown>)) {
    try {
      out[k] = structuredClone(v);
    } catch {
      try {
        out[k] = String(v);
      } catch {
        out[k] = '[unprintable]';
      }
    }
  }
  return out;
}

function forwardingLogger(node: string): Logger {
  const at =
    (level: keyof Logger) =>
    (text: string, fields?: unknown): void => {
      try {
        const line = { op: 'log' as const, node, level, text: String(text), fields: portable(fields) };
        // Over this node's own cluster connection once it is up: then a line logged before a reply reaches
        // the test before the reply does (NATS keeps one connection's order), as a worker thread's would.
        const nc = (rt?.cluster as unknown as { connection?: { publish(s: string, d: Uint8Array): void } })
          ?.connection;
        if (nc !== undefined && logSubject !== undefined) {
          nc.publish(logSubject, serialize(line));
        } else reply(line);
      } catch (err) {
        reply({ op: 'log', node, level, text: `[a log line that could not be forwarded: ${err}]` });
      }
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as Logger;
}

async function handle(r: PeerRequest): Promise<PeerAnswer> {
  switch (r.op) {
    case 'start': {
      if (rt !== undefined) await rt.shutdown();
      const made = new Runtime({
        controller: new TaskletController({ copyMessages: true }),
        logger: forwardingLogger(r.node),
        callTimeout: 15_000,
        cluster: {
          servers: r.nats,
          name: r.cluster,
          node: r.node,
          insecure: true,
          root: r.root,
          downAfter: r.downAfter,
        },
      });
      rt = made;
      logSubject = `parley-log.${r.cluster}`;
      await made.connectNode(r.node); // resolves once joined
      const cluster = made.cluster as unknown as {
        self: string;
        connection: { subscribe(s: string, o: { callback(): void }): void };
      };
      fences = 0;
      // On the cluster's own connection: a fence arrives after everything the other node sent before it.
      cluster.connection.subscribe(`parley-fence.${r.cluster}`, {
        callback: () => {
          if (rt !== made) return;
          fences++;
          fenced?.();
          fenced = undefined;
        },
      });
      return { op: 'answer', id: r.id, key: cluster.self, threads: made.fabricThreads() };
    }
    case 'configure': {
      // The test's runtime options that decide what this node's actors see (call timeouts, shutdown).
      const m = rt as unknown as { callTimeout: number; stopper: { timeout: number } } | undefined;
      if (m !== undefined && r.callTimeout !== undefined) m.callTimeout = r.callTimeout;
      if (m !== undefined && r.shutdownTimeout !== undefined) m.stopper.timeout = r.shutdownTimeout;
      if (rt !== undefined && r.record === true) {
        // The test records: this node's events go to its recording too (as worker threads forward theirs).
        const node = (rt.cluster as unknown as { node: string }).node;
        const recording = (rt as unknown as { recording: { to(sink: unknown): void } }).recording;
        recording.to({
          write: (e: unknown) => reply({ op: 'event', node, event: portable(e) }),
          close() {},
        });
      }
      return { op: 'answer', id: r.id };
    }
    case 'stop': {
      const done = rt;
      rt = undefined;
      if (done === undefined) return { op: 'answer', id: r.id, stats: undefined };
      if (r.fence) {
        rt = done;
        await fence(5000); // what the other node sent first (a spawn…) is here before this node stops
        rt = undefined;
      }
      await done.shutdown();
      return { op: 'answer', id: r.id, stats: done.stats() };
    }
  }
}

process.on('message', (r: PeerRequest) => {
  handle(r).then(reply, (err: unknown) =>
    reply({ op: 'answer', id: r.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 5000).unref();
  void (rt?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0));
});
process.send?.({ op: 'answer', id: 0 });
