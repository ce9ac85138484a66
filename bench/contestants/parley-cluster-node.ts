/**
 * One side of the Parley cluster contestant, run as its own Node process by parley-cluster.ts through
 * `runPair` (bench/nats.ts): `node --import tsx bench/contestants/parley-cluster-node.ts <role> <url>
 * <cluster> <workload> <n>`. Each side is a Parley node (TaskletController) of cluster `<cluster>`, signed
 * with a secret as users run it by default. The receiving side (role `recv`, node 'recv') joins, prints
 * `ready` and runs until its stdin closes; the sending side (role `send`, node 'send') connects to 'recv',
 * spawns the workload's actor there (`spawnWith({ node: 'recv' }, …)`), times the workload itself and
 * prints `{"result": <msgs per s>}`:
 * - natsOneWay: n casts of a 40-byte Uint8Array to a Sink, at most WINDOW unacknowledged (the sink acks
 *   every ACK_EVERY), then one call for its count, which must be n;
 * - natsCall: n sequential calls of an Echo with a 40-byte Uint8Array;
 * - natsCallsInFlight: the same with CALLS_IN_FLIGHT calls outstanding.
 * A wrong answer exits non-zero. With PARLEY_BENCH_CPU=<file>, each side appends `<workload> <role> <CPU µs
 * per message>` to that file (the process's CPU time over the workload: steadier than rates on a busy machine).
 */
import { appendFileSync } from 'node:fs';
import {
  connectNode,
  type Logger,
  me,
  Runtime,
  recv,
  spawnWith,
  TaskletController,
} from '../../src/index.js';
import { PAYLOAD_BYTES, payload, readyLine, resultLine, stopOnStdinEnd } from '../nats.js';
import { CALLS_IN_FLIGHT } from './nats-raw.js';
import { Echo, Sink, WINDOW } from './parley-cluster-actors.js';

const [role, url, cluster, workload, nArg] = process.argv.slice(2);
const n = Number(nArg);
if (url === undefined || cluster === undefined || workload === undefined || !(n > 0)) {
  throw new Error('usage: parley-cluster-node.ts <recv|send> <url> <cluster> <workload> <n>');
}

function fail(what: string): never {
  console.error(`benchmark result check failed: ${what}`);
  process.exit(1);
}

/** Warnings (a broken session, a refused envelope) go to stderr, where runPair reports them on failure. */
const logger: Logger = {
  error: (m: string) => console.error(m),
  warn: (m: string) => console.error(m),
  info() {},
  debug() {},
} as Logger;

const cpuLog = process.env.PARLEY_BENCH_CPU;
let cpuFrom = process.cpuUsage();
/** Starts the CPU time measured for PARLEY_BENCH_CPU. */
function cpuStart(): void {
  cpuFrom = process.cpuUsage();
}
/** Appends this side's CPU µs per message to PARLEY_BENCH_CPU's file. */
function cpuReport(): void {
  if (cpuLog === undefined) return;
  const used = process.cpuUsage(cpuFrom);
  appendFileSync(
    cpuLog,
    `${workload} ${role} ${((used.user + used.system) / n).toFixed(2)} ${(used.system / n).toFixed(2)}\n`,
  );
}

const rt = new Runtime({
  controller: new TaskletController(),
  logger,
  cluster: {
    servers: url,
    name: cluster,
    node: role === 'recv' ? 'recv' : 'send',
    secret: 'a-bench-secret-of-16+chars',
  },
});

async function oneWay(): Promise<number> {
  const sink = spawnWith({ node: 'recv' }, Sink, me());
  if ((await sink.count()) !== 0) fail('a fresh sink is not empty');
  let acked = 0;
  cpuStart();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    while (i - acked >= WINDOW) acked = (await recv('ack'))[2][0] as number;
    // A fresh array per message, as raw NATS does.
    const data = payload();
    data[0] = i & 0xff;
    data[1] = (i >>> 8) & 0xff;
    data[2] = (i >>> 16) & 0xff;
    data[3] = (i >>> 24) & 0xff;
    sink.cast('take', data);
  }
  const count = await sink.with({ timeout: 60_000 }).count();
  const rate = n / ((performance.now() - t0) / 1000);
  if (count !== n) fail(`the sink counted ${count} of ${n} messages`);
  return rate;
}

async function calls(inFlight: number): Promise<number> {
  const echo = spawnWith({ node: 'recv' }, Echo);
  const data = payload();
  await echo.echo(data); // spawned and warm
  let issued = 0;
  const lane = async () => {
    while (issued < n) {
      issued++;
      const reply = (await echo.echo(data)) as Uint8Array;
      if (reply.length !== PAYLOAD_BYTES) fail(`reply of ${reply.length} bytes`);
    }
  };
  cpuStart();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  return n / ((performance.now() - t0) / 1000);
}

if (role === 'recv') {
  await rt.run(async () => {
    cpuStart();
    readyLine();
    await stopOnStdinEnd();
    cpuReport();
  });
} else if (role === 'send') {
  const rate = await rt.run(async () => {
    await connectNode('recv', { timeout: 30_000 });
    switch (workload) {
      case 'natsOneWay':
        return oneWay();
      case 'natsCall':
        return calls(1);
      case 'natsCallsInFlight':
        return calls(CALLS_IN_FLIGHT);
      default:
        return fail(`unknown workload ${workload}`);
    }
  });
  cpuReport();
  resultLine(rate);
  await stopOnStdinEnd();
} else {
  fail(`unknown role ${role}`);
}
await rt.shutdown();
