import type { Descriptor } from '../actors/importable.js';
import { loadedOrStandIn } from '../actors/importable.js';
import type { ProxyBase } from '../actors/proxy.js';
import { type ActorRef, ReplyRef } from '../core/ref.js';
import type { Runtime } from '../runtime/runtime.js';
import type { EncodedRef } from '../wire/codec.js';
import type { Decoder } from './protocol.js';

/** @internal */
export class ThreadDecoder implements Decoder {
  constructor(private readonly rt: Runtime) {}

  private get thread(): number {
    return this.rt.thread;
  }

  revive(r: EncodedRef): ActorRef {
    return this.rt.bindRef(r[0], r[1], r[2], r[3]);
  }

  here(id: number): ActorRef {
    return this.rt.localRef(id, this.rt.localCell(id));
  }

  replyRef(callId: number): ReplyRef {
    return new ReplyRef(0, this.thread, callId, this.rt);
  }

  proxy(ref: ActorRef): ProxyBase {
    return this.rt.proxy(ref);
  }

  loaded(d: Descriptor): unknown {
    return loadedOrStandIn(d);
  }
}
