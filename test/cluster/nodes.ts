/**
 * Test harness: cluster nodes as separate Node processes (test/cluster/fixtures/node-host.ts), and
 * in-process runtimes joined to the same cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Logger, Runtime, type RuntimeOptions, TaskletController } from '../../src/index.js';

const HOST = fileURLToPath(new URL('./fixtures/node-host.ts', import.meta.url));

export interface NodeOptions {
  nats: string;
  cluster: string;
  node: string;
  secret?: string;
  threads?: number;
  user?: string;
  pass?: string;
  heartbeat?: number;
  log?: boolean;
}

export class NodeProcess {
  private readonly exited: Promise<number | null>;
  output = '';
  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Sends `signal` (SIGKILL: dies at once; SIGSTOP/SIGCONT: hangs and resumes). */
  signal(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** Resolves with the exit code once the process has exited. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  /** Orderly stop (SIGTERM), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}

/** Starts a node process and resolves once it has joined the cluster. */
export async function startNode(o: NodeOptions): Promise<NodeProcess> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PARLEY_NATS: o.nats,
    PARLEY_CLUSTER: o.cluster,
    PARLEY_NODE: o.node,
  };
  if (o.secret !== undefined) env.PARLEY_SECRET = o.secret;
  if (o.threads !== undefined) env.PARLEY_THREADS = String(o.threads);
  if (o.user !== undefined) env.PARLEY_USER = o.user;
  if (o.pass !== undefined) env.PARLEY_PASS = o.pass;
  if (o.heartbeat !== undefined) env.PARLEY_HEARTBEAT = String(o.heartbeat);
  if (o.log) env.PARLEY_LOG = '1';
  const proc = spawn(process.execPath, ['--import', 'tsx', HOST], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const node = new NodeProcess(o.node, proc);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`node ${o.node} did not start in 60 s:\n${node.output}`)),
      60_000,
    );
    proc.stdout!.on('data', (d: Buffer) => {
      node.output += d.toString();
      if (node.output.includes(`ready ${o.node}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      node.output += d.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${o.node} exited (${code}) while starting:\n${node.output}`));
    });
  });
  return node;
}

/** A runtime in this process, joined to the cluster as node `node`. */
export function clusterRuntime(
  o: Omit<NodeOptions, 'threads' | 'log'>,
  extra: Omit<RuntimeOptions, 'cluster'> & { logger?: Logger } = {},
): Runtime {
  return new Runtime({
    controller: new TaskletController(),
    ...extra,
    cluster: {
      servers: o.nats,
      name: o.cluster,
      node: o.node,
      ...(o.secret === undefined ? { insecure: true } : { secret: o.secret }),
      ...(o.user === undefined ? {} : { user: o.user, pass: o.pass }),
      ...(o.heartbeat === undefined ? {} : { heartbeat: o.heartbeat }),
    },
  });
}
