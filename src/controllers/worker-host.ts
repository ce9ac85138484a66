/**
 * The entry point of a worker thread: a Runtime for this thread, joined to the others by a Fabric. Its
 * logger and recorder forward to the main thread, so reports and recordings end up in one place.
 */
import { workerData } from 'node:worker_threads';
import { markWorkerThread } from '../actors/importable.js';
import { ViaMain } from '../cluster/forward.js';
import type { Logger } from '../core/logger.js';
import { recordable } from '../record/json.js';
import { Runtime } from '../runtime/runtime.js';
import { Fabric, type Packet } from '../threads/fabric.js';
import type { WorkerSetup } from '../threads/pool.js';
import { encodeValue } from '../wire/codec.js';
import { type Controller, RoundRobin } from './controller.js';

// Before any of the program's modules is imported: a start-up they run at top level sleeps here.
markWorkerThread();

const setup = workerData as WorkerSetup;
let fabric!: Fabric;

function forward(level: 'error' | 'warn' | 'info' | 'debug'): Logger['error'] {
  return (message, fields) => {
    let encoded: unknown;
    try {
      encoded = encodeValue(fields ?? {}, 'fields').v;
    } catch {
      encoded = { note: 'fields not transferable' };
    }
    fabric.send(0, { op: 'log', level, message, fields: encoded });
  };
}

const logger: Logger = {
  error: forward('error'),
  warn: forward('warn'),
  info: forward('info'),
  debug: forward('debug'),
};

/** What a worker thread's runtime knows of placement: round-robin over the pool's live threads. */
const controller: Controller = {
  copiesMessages: true,
  placement: new RoundRobin(),
  attach() {},
  async close() {},
};

const rt = new Runtime(
  { logger, controller, ...(setup.callTimeout === undefined ? {} : { callTimeout: setup.callTimeout }) },
  {
    thread: setup.thread,
    attachFabric(runtime) {
      fabric = new Fabric(runtime, {
        live: setup.live,
        crossings: setup.crossings,
        onPacket: (p: Packet) => {
          if (p.op !== 'connect') return false;
          fabric.connect(p.thread, p.port);
          return true;
        },
      });
      fabric.connect(0, setup.main);
      for (const [t, port] of setup.peers) fabric.connect(t, port);
      // Other nodes of a cluster (if the main thread is in one) are reached through the main thread.
      const via = new ViaMain(fabric);
      runtime.router.connectRemote(via);
      // Its view of the cluster arrives from the main thread (if the node is in one).
      runtime.cluster = via;
      // Once it is (the main thread says so), places print by node name, as on the main thread.
      via.onLearn = () => {
        runtime.placeText = (place) => via.placeText(place);
      };
      return fabric;
    },
    onIdle: setup.spinMicros > 0 ? () => fabric.spin(setup.spinMicros) : undefined,
    // A thread of its own for one actor: when that actor is gone, the thread retires.
    onEmpty: setup.dedicated ? () => fabric.send(0, { op: 'retire' }) : undefined,
  },
);

if (setup.record) {
  rt.recording.to({
    write(event) {
      try {
        let v: unknown;
        try {
          v = encodeValue(event, 'event').v;
        } catch {
          // A value that cannot cross (a getter that throws, a Proxy, deep nesting…) crosses as what the
          // line will hold: plain JSON data with a placeholder where it could not be recorded.
          v = encodeValue(recordable(event), 'event').v;
        }
        fabric.send(0, { op: 'record', event: v });
      } catch {
        // Recording never breaks the program.
      }
    },
    close() {},
  });
}

fabric.send(0, { op: 'ready' });
