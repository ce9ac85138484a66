/**
 * One side of the raw-NATS contestant, run as its own Node process by nats-raw.ts through `runPair`
 * (bench/nats.ts): `node --import tsx bench/contestants/nats-raw-node.ts <role> <url> <subject> <n> [inFlight]`.
 * Roles: `receiver` / `sender` (natsOneWay), `responder` / `caller` (natsCall, natsCallsInFlight). The
 * receiving side prints `ready` once its subscription is on the server; the sending side prints
 * `{"result": <msgs per s>}`, timed by itself from its first message to the last answer. Every side
 * checks what it gets (count, order, echoed bytes) and exits non-zero on a wrong answer.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PAYLOAD_BYTES, payload, readyLine, resultLine, stopOnStdinEnd } from '../nats.js';

const [role, url, subject, nArg, inFlightArg] = process.argv.slice(2);
const n = Number(nArg);
if (url === undefined || subject === undefined || !(n > 0)) {
  throw new Error('usage: nats-raw-node.ts <role> <url> <subject> <n> [inFlight]');
}

/** The receiver acknowledges every ACK_EVERY messages; the sender keeps at most WINDOW unacknowledged. */
const ACK_EVERY = 4096;
const WINDOW = 16 * ACK_EVERY;

function fail(what: string): never {
  console.error(`benchmark result check failed: ${what}`);
  process.exit(1);
}

async function receiver(nc: NatsConnection): Promise<void> {
  let count = 0;
  const done = new Promise<void>((resolve) => {
    nc.subscribe(subject!, {
      callback: (err, msg) => {
        if (err !== null) fail(`receiver subscription: ${err.message}`);
        const data = msg.data;
        if (data.length !== PAYLOAD_BYTES) fail(`message of ${data.length} bytes`);
        const seq = data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24);
        if (seq !== count) fail(`message ${seq} arrived as number ${count}`);
        count++;
        if (count % ACK_EVERY === 0 || count === n) nc.publish(`${subject}.ack`, String(count));
        if (count === n) resolve();
      },
    });
  });
  await nc.flush();
  readyLine();
  await done;
  await nc.flush();
}

async function sender(nc: NatsConnection): Promise<void> {
  let acked = 0;
  let wake: (() => void) | undefined;
  nc.subscribe(`${subject}.ack`, {
    callback: (_err, msg) => {
      acked = Number(msg.string());
      wake?.();
    },
  });
  await nc.flush();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    while (i - acked >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    // A fresh array per message, as a real sender encodes each: the client keeps a reference until it writes.
    const data = payload();
    data[0] = i & 0xff;
    data[1] = (i >>> 8) & 0xff;
    data[2] = (i >>> 16) & 0xff;
    data[3] = (i >>> 24) & 0xff;
    nc.publish(subject!, data);
  }
  while (acked < n) await new Promise<void>((resolve) => (wake = resolve));
  resultLine(n / ((performance.now() - t0) / 1000));
}

async function responder(nc: NatsConnection): Promise<void> {
  nc.subscribe(subject!, {
    callback: (err, msg) => {
      if (err !== null) fail(`responder subscription: ${err.message}`);
      msg.respond(msg.data);
    },
  });
  await nc.flush();
  readyLine();
  await stopOnStdinEnd();
}

async function caller(nc: NatsConnection, inFlight: number): Promise<void> {
  const data = payload();
  let issued = 0;
  const lane = async () => {
    while (issued < n) {
      issued++;
      const reply = await nc.request(subject!, data, { timeout: 30_000 });
      if (reply.data.length !== PAYLOAD_BYTES) fail(`reply of ${reply.data.length} bytes`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  resultLine(n / ((performance.now() - t0) / 1000));
}

const nc = await connect({ servers: url });
switch (role) {
  case 'receiver':
    await receiver(nc);
    break;
  case 'sender':
    await sender(nc);
    break;
  case 'responder':
    await responder(nc);
    break;
  case 'caller':
    await caller(nc, Number(inFlightArg ?? 1));
    break;
  default:
    fail(`unknown role ${role}`);
}
await nc.close();
