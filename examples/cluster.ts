/**
 * Three nodes as three processes on this machine, over NATS: a supervisor on node `boss` keeps a Counter
 * running on node `worker-1` (or, if that node is lost, on `worker-2`). The counter is reached by its
 * cluster-wide name. Then `worker-1` is killed (SIGKILL): the supervisor hears 'noconnection', restarts
 * the counter on `worker-2`, and the same named proxy reaches it there. Exits by itself.
 *
 * Needs `nats-server` on PATH (Debian/Ubuntu: `sudo apt-get install nats-server`; or
 * https://docs.nats.io/running-a-nats-service/introduction/installation). The example starts its own
 * server on a free port and stops it at the end.
 *
 * Run: `npx tsx examples/cluster.ts`. (It starts itself again as the worker nodes: `… cluster.ts worker-1 <url>`.)
 */
import { type ChildProcess, spawnSync, spawn as startProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Actor,
  connectNode,
  handles,
  type Logger,
  named,
  nodes,
  Runtime,
  Supervisor,
  spawnLink,
  TaskletController,
} from 'parley-actors';

/** The supervised worker: counts, and says which node it runs on. */
export class Counter extends Actor {
  private count = 0;
  @handles('add')
  add(n: number): number {
    this.count += n;
    return this.count;
  }
  @handles('where')
  where(): string {
    return nodes()[0]!; // this node first
  }
}

// The cluster secret: the same on every node (here: from the environment, or one made for this run).
const secret = process.env.PARLEY_SECRET ?? `example-${process.pid}-${Date.now()}-secret`;

const quiet: Logger = {
  error: (m) => console.log(`  [boss] ${m}`),
  warn: (m) => console.log(`  [boss] ${m}`),
  info() {},
  debug() {},
};

const [role, url] = process.argv.slice(2);
if (role === undefined) await boss();
else await worker(role, url!);

/** A worker node: joins the cluster and serves until it is stopped (SIGTERM) or killed. */
async function worker(node: string, servers: string): Promise<void> {
  const rt = new Runtime({
    controller: new TaskletController(),
    logger: { error() {}, warn() {}, info() {}, debug() {} },
    cluster: { servers, name: 'example', node, secret },
  });
  await rt.run(async () => {
    console.log(`  [${node}] joined the cluster (pid ${process.pid})`);
    await new Promise(() => {}); // serve until stopped
  });
}

async function boss(): Promise<void> {
  const nats = await startNats();
  if (nats === undefined) return;
  const workers = ['worker-1', 'worker-2'].map((node) => startWorker(node, nats.url));
  const rt = new Runtime({
    controller: new TaskletController(),
    logger: quiet,
    cluster: { servers: nats.url, name: 'example', node: 'boss', secret },
  });
  try {
    await rt.run(async () => {
      await connectNode('worker-1', { timeout: 60_000 });
      await connectNode('worker-2', { timeout: 60_000 });
      console.log(`nodes up: ${nodes().join(', ')}`);
      const sup = spawnLink(Supervisor, {
        strategy: 'one_for_one',
        children: [{ id: 'counter', actor: Counter, name: 'counter', node: ['worker-1', 'worker-2'] }],
      });
      await sup.countChildren(); // answers once the child has started
      const counter = named('counter', Counter); // follows the name across restarts and nodes
      console.log(`counter runs on ${await counter.where()}; add(5) -> ${await counter.add(5)}`);

      console.log('killing worker-1 (SIGKILL)…');
      workers[0]!.kill('SIGKILL');
      // The supervisor restarts the counter on worker-2 once worker-1 is reported lost (~2 s).
      for (;;) {
        const where = await counter.where().catch(() => undefined);
        if (where === 'worker-2') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      console.log(
        `counter restarted on ${await counter.where()}; add(1) -> ${await counter.add(1)} (a new instance)`,
      );
      console.log(`nodes up: ${nodes().join(', ')}`);
    });
  } finally {
    await rt.shutdown();
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(
      workers.map(
        (w) => new Promise((r) => (w.exitCode !== null || w.signalCode !== null ? r(0) : w.once('exit', r))),
      ),
    );
    nats.stop();
  }
  console.log('done');
}

function startWorker(node: string, servers: string): ChildProcess {
  return startProcess(process.execPath, [...process.execArgv, process.argv[1]!, node, servers], {
    stdio: 'inherit',
    env: { ...process.env, PARLEY_SECRET: secret },
  });
}

/** Starts nats-server on a free port (with JetStream, for cluster-wide names), or says how to get it. */
async function startNats(): Promise<{ url: string; stop(): void } | undefined> {
  const bin = ['nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server'].find(
    (b) => spawnSync(b, ['--version']).status === 0,
  );
  if (bin === undefined) {
    console.log(
      'examples/cluster.ts needs nats-server, which is not installed here: on Debian/Ubuntu run ' +
        '`sudo apt-get install nats-server`; elsewhere see ' +
        'https://docs.nats.io/running-a-nats-service/introduction/installation. Skipping the cluster example.',
    );
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'parley-example-nats-'));
  const proc = startProcess(bin, ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const port = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}):\n${log}`)));
    proc.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /Listening for client connections on [^\n]*:(\d+)/.exec(log);
      if (m !== null && log.includes('Server is ready')) resolve(m[1]!);
    });
  });
  proc.stderr!.removeAllListeners('data');
  proc.stderr!.resume();
  proc.removeAllListeners('exit');
  return {
    url: `nats://127.0.0.1:${port}`,
    stop() {
      proc.kill('SIGTERM');
      proc.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    },
  };
}
