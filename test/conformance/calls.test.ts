import { expect } from 'chai';
import {
  ActorExitedError,
  ActorRef,
  BadReplyError,
  CallTimeoutError,
  exit,
  me,
  NoSuchActorError,
  type ReplyRef,
  recv,
  spawn,
  spawnLink,
  spawnWith,
  trapExit,
  UnknownTagError,
} from '../../src/index.js';
import {
  Adder,
  adderLoop,
  addFn,
  Caller,
  gate,
  idle,
  LoopActor,
  Pinger,
  Pong,
  Probe,
  ReplyIdEcho,
  ReplyKind,
  WrongTagReplier,
} from './actors.js';
import { onEveryController, settle } from './harness.js';

onEveryController('ActorProxy calls', (h) => {
  it('returns a handler result through a typed method call', async () => {
    const rt = h.runtime();
    const adder = rt.spawn(Adder);
    const n: number = await adder.add(1, 2);
    expect(n).to.equal(3);
  });

  it('calls by tag with call(tag, args)', async () => {
    const rt = h.runtime();
    const adder = rt.spawn(Adder);
    expect(await adder.call('add', [40, 2])).to.equal(42);
  });

  it('answers a call from a raw recv() loop that replies with sender.send("reply", me(), value)', async () => {
    const rt = h.runtime();
    const a = rt.spawn(adderLoop);
    // A function actor stays on this thread: the call comes from an actor on another one.
    const caller = rt.spawnWith(h.on(1), Caller);
    expect(await caller.callOf(a.ref, 'add', [2, 3])).to.deep.equal({ value: 5 });
    a.cast('quit');
  });

  it('answers a call from an Actor whose run() is a receive loop', async () => {
    const rt = h.runtime();
    const a = rt.spawn(LoopActor);
    expect(await a.call('double', [21])).to.equal(42);
  });

  it('runs a functionActor for any call and replies with its result', async () => {
    const rt = h.runtime();
    const a = rt.spawn(addFn);
    expect(await a.invoke(1, 2)).to.equal(3);
    expect(await a.call('anything', [5, 6])).to.equal(11);
  });

  it('replies to a raw send with ["reply", actor, [value], {}]', async () => {
    const rt = h.runtime();
    const msg = await rt.run(async () => {
      const a = spawn(Adder);
      a.send('add', me(), 1, 2);
      const reply = await recv();
      expect(reply[1]).to.be.instanceOf(ActorRef);
      expect((reply[1] as ActorRef).equals(a.ref)).to.equal(true);
      return [reply[0], reply[2], reply[3]];
    });
    expect(msg).to.deep.equal(['reply', [3], {}]);
  });

  it('gives a cast no reply', async () => {
    const rt = h.runtime();
    const got = await rt.run(async () => {
      const p = spawn(Probe);
      p.cast('incr', 5);
      expect(await p.get()).to.equal(5);
      return recv(undefined, { timeout: 20 }).then(
        () => 'unexpected message',
        (err) => err.name,
      );
    });
    expect(got).to.equal('ReceiveTimeoutError');
  });

  it('makes the tag, sender and kwargs of the current message reachable from the actor', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    const seen = await p.call<{ tag: string; kwargs: object; hasSender: boolean; self: ActorRef }>(
      'whoami',
      [],
      { x: 1 },
    );
    expect(seen.tag).to.equal('whoami');
    expect(seen.kwargs).to.deep.equal({ x: 1 });
    expect(seen.hasSender).to.equal(true);
    expect(seen.self.equals(p.ref)).to.equal(true);
  });

  it('keeps the actor context across awaits in an async handler', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    expect(await p.meAfterAwait()).to.equal(true);
  });

  it('puts a one-shot ReplyRef in the sender slot of a call', async () => {
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), ReplyKind);
    expect(await a.call('x')).to.equal(true);
  });

  it('rejects a call to an unknown tag with UnknownTagError and keeps the actor running', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    const err: any = await p.call('nope').catch((e: any) => e);
    expect(err).to.be.instanceOf(UnknownTagError);
    expect(err.code).to.equal('ERR_PARLEY_UNKNOWN_TAG');
    expect(err.message).to.include("'nope'");
    expect(await p.incr()).to.equal(1);
  });

  it('rejects a proxy call to a method without @handles with UnknownTagError', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    const err = await p.helper().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UnknownTagError);
    expect((err as Error).message).to.include('no @handles decorator');
  });

  it('logs an unknown tag in a cast as unhandled and keeps the actor running', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    p.cast('nope', 1);
    expect(await p.incr()).to.equal(1);
    expect(h.logger.warn.calledOnce).to.equal(true);
    expect(h.logger.warn.firstCall.args[0]).to.include("no handler for 'nope'");
  });

  it('rejects a call with the error its handler threw, and the actor exits with it', async () => {
    const rt = h.runtime();
    const reason = await rt.run(async () => {
      trapExit(true);
      const p = spawnLink(Probe);
      const err = await p.fail('boom').catch((e: Error) => e);
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.equal('boom');
      const [tag, from, [r]] = await recv('EXIT');
      expect(tag).to.equal('EXIT');
      expect((from as ActorRef).equals(p.ref)).to.equal(true);
      return r as Error;
    });
    expect(reason.message).to.equal('boom');
  });

  it('rejects a call whose async handler rejects, and the actor exits', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    const err = await p.failAsync('later').catch((e: Error) => e);
    expect((err as Error).message).to.equal('later');
    const again = await p.get().catch((e: Error) => e);
    expect(again).to.be.instanceOf(NoSuchActorError);
  });

  it('rejects a call to a dead actor at once with NoSuchActorError', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    await p.fail('x').catch(() => {});
    const err = await p.get().catch((e: any) => e);
    expect(err).to.be.instanceOf(NoSuchActorError);
    expect(err.code).to.equal('ERR_PARLEY_NO_SUCH_ACTOR');
  });

  it('rejects a caller with ActorExitedError when the callee is killed while handling the call', async () => {
    const rt = h.runtime();
    const reason = await rt.run(async () => {
      const p = spawn(Probe);
      const pending = p.never().catch((e: unknown) => e);
      const queued = p.get().catch((e: unknown) => e);
      await settle();
      exit(p, 'kill');
      const [a, b] = (await Promise.all([pending, queued])) as ActorExitedError[];
      expect(a).to.be.instanceOf(ActorExitedError);
      expect(b).to.be.instanceOf(ActorExitedError);
      return a.reason;
    });
    expect(reason).to.equal('killed');
  });

  it('times out a call with CallTimeoutError and drops the late reply', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    const err: any = await p.call('slow', [60, 'late'], undefined, { timeout: 10 }).catch((e: any) => e);
    expect(err).to.be.instanceOf(CallTimeoutError);
    expect(err.code).to.equal('ERR_PARLEY_CALL_TIMEOUT');
    // The next call gets its own reply, never the late one.
    expect(await p.call('slow', [1, 'fresh'])).to.equal('fresh');
  });

  it('uses the runtime option callTimeout as the default timeout', async () => {
    const rt = h.runtime({ callTimeout: 15 });
    const p = rt.spawn(Probe);
    const err = await p.never().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CallTimeoutError);
    expect((err as CallTimeoutError).timeout).to.equal(15);
  });

  it('rejects a call answered with a tag other than "reply" with BadReplyError', async () => {
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), WrongTagReplier);
    const err: any = await a.call('x').catch((e: any) => e);
    expect(err).to.be.instanceOf(BadReplyError);
  });

  it('handles one message at a time: an awaiting handler blocks only its own actor', async () => {
    const rt = h.runtime();
    const slow = rt.spawn(Probe);
    const other = rt.spawn(Probe);
    const g = rt.spawn(gate);
    const order: string[] = [];
    const s = slow.relay(g.ref).then((v) => order.push(String(v))); // slow now awaits the gate
    const queued = slow.get().then(() => order.push('slow.get')); // …so this waits behind it
    await other.incr(); // another actor answers meanwhile
    order.push('other');
    g.cast('open');
    await Promise.all([s, queued]);
    expect(order).to.deep.equal(['other', 'opened', 'slow.get']);
  });

  it('delivers messages from one sender to one receiver in order', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    for (let i = 0; i < 1000; i++) p.cast('note', i);
    const seen = (await p.seenList()) as number[];
    expect(seen).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('delivers plain and structured messages mixed from one sender to another place in order, values intact', async () => {
    // Plain messages (primitives, bytes) take the transports' binary fast paths, the rest the packet path:
    // one pair's order holds across both, and each value arrives as structured clone would give it.
    const rt = h.runtime();
    const values = (i: number): unknown[] => [
      i,
      -i - 0.5,
      `s${i}`,
      `ünï ${i} 🙂`,
      new Uint8Array([i & 0xff, 1, 2]),
      { i },
      [i, null],
      null,
      undefined,
      i % 2 === 0,
      BigInt(i),
      new Map([[i, 'm']]),
      -0,
      Number.NaN,
      2 ** 40 + i,
    ];
    const sent: unknown[] = [];
    const seen = await rt.run(async () => {
      const p = spawnWith(h.on(1), Probe);
      for (let i = 0; i < 40; i++) {
        for (const v of values(i)) {
          sent.push(v);
          p.cast('note', v);
        }
      }
      return (await p.seenList()) as unknown[];
    });
    expect(seen).to.have.length(sent.length);
    expect(seen).to.deep.equal(sent);
    const bytes = seen[4] as Uint8Array;
    expect(Object.getPrototypeOf(bytes)).to.equal(Uint8Array.prototype);
    expect(Object.is(seen[12], -0)).to.equal(true);
  });

  it('replies with a ReplyRef whose id is the caller', async () => {
    const rt = h.runtime();
    const result = await rt.run(async () => {
      const echo = spawnWith(h.on(1), ReplyIdEcho);
      const from: ReplyRef = await echo.call('who');
      return from.id === me().id;
    });
    expect(result).to.equal(true);
  });

  it('gives a call started outside any actor a ReplyRef with id 0', async () => {
    const rt = h.runtime();
    const echo = rt.spawnWith(h.on(1), ReplyIdEcho);
    expect(((await echo.call('who')) as ReplyRef).id).to.equal(0);
  });

  it('keeps a waiting actor idle without blocking the runtime', async () => {
    const rt = h.runtime();
    rt.spawn(idle);
    const a = rt.spawn(Adder);
    expect(await a.add(2, 2)).to.equal(4);
  });

  it('never answers a reply, so two actors can ping-pong with raw sends', async () => {
    const rt = h.runtime();
    const rounds = await rt.run(async () => {
      const pong = spawn(Pong);
      const pinger = spawn(Pinger);
      pinger.cast('start', pong.ref, 100, me());
      const [, , [n]] = await recv('done');
      await settle();
      return n;
    });
    expect(rounds).to.equal(100);
    expect(h.logger.warn.called, 'no unhandled reply').to.equal(false);
  });
});
