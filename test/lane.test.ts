import { expect } from 'chai';
import { ActorRef, type Delivery, ReplyRef } from '../src/core/ref.js';
import {
  CANNOT,
  FULL,
  LaneReader,
  type LaneSink,
  LaneWriter,
  newLaneBuffer,
  WRITTEN_OK,
} from '../src/threads/lane.js';

const delivery = {} as Delivery;

/** A reader whose sink records what it gets, in order; `markers` answers MARKERs (false: not arrived). */
function lane(markers: () => boolean = () => true) {
  const sab = newLaneBuffer();
  const got: unknown[][] = [];
  let rooms = 0;
  const writer = new LaneWriter(sab, () => rooms++);
  const sink: LaneSink = {
    msg: (to, tag, sender, args) => got.push(['msg', to, tag, sender, args]),
    reply: (call, tag, args) => got.push(['reply', call, tag, args]),
    marker: () => {
      const ok = markers();
      if (ok) got.push(['marker']);
      return ok;
    },
    paused: () => false,
    ref: (id, thread, name) => new ActorRef(id, thread, name, delivery),
    replyRef: (id, thread, call) => new ReplyRef(id, thread, call, delivery),
  };
  const reader = new LaneReader(sab, sink);
  return { writer, reader, got, rooms: () => rooms };
}

describe('Lane (SharedArrayBuffer channel between two threads)', () => {
  it('carries messages with every kind of primitive arg and each kind of sender, exactly', () => {
    const { writer, reader, got } = lane();
    const long = 'ü-'.repeat(300);
    const args = [1.5, -0, Number.NaN, 2 ** 53, 'hi', '', long, '\ud83d\ude00', true, false, null, undefined];
    expect(writer.msg(7, 'tag', null, args)).to.equal(WRITTEN_OK);
    expect(writer.msg(8, 'other', new ActorRef(3, 1, 'Pinger', delivery), [])).to.equal(WRITTEN_OK);
    expect(writer.msg(9, 'tag', new ReplyRef(4, 2, 99, delivery), [1])).to.equal(WRITTEN_OK);
    expect(writer.reply(99, 'reply', ['done'])).to.equal(WRITTEN_OK);
    reader.pump();
    expect(got).to.have.length(0); // nothing is visible before publish()
    writer.publish();
    reader.pump();
    expect(got.map((g) => g[0])).to.deep.equal(['msg', 'msg', 'msg', 'reply']);
    const [, to, tag, sender, a] = got[0]!;
    expect([to, tag, sender]).to.deep.equal([7, 'tag', null]);
    expect(a).to.have.length(args.length);
    (a as unknown[]).forEach((v, i) => {
      expect(Object.is(v, args[i]), `arg ${i}`).to.equal(true);
    });
    const s1 = got[1]![3] as ActorRef;
    expect([s1 instanceof ActorRef, s1.id, s1.thread, s1.name]).to.deep.equal([true, 3, 1, 'Pinger']);
    const s2 = got[2]![3] as ReplyRef;
    expect([s2 instanceof ReplyRef, s2.id, s2.thread, s2.callId]).to.deep.equal([true, 4, 2, 99]);
    expect(got[3]).to.deep.equal(['reply', 99, 'reply', ['done']]);
  });

  it('refuses what a record cannot carry, so it goes as a packet', () => {
    const { writer } = lane();
    expect(writer.msg(1, 't', null, [{ a: 1 }])).to.equal(CANNOT);
    expect(writer.msg(1, 't', null, [1n])).to.equal(CANNOT);
    expect(writer.msg(1, 't', null, ['x'.repeat(5000)])).to.equal(CANNOT);
    expect(writer.msg(1, 't', { send() {} }, [])).to.equal(CANNOT);
  });

  it('keeps order across wrap-around, markers and many defined tags', () => {
    const { writer, reader, got } = lane();
    const sent: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const tag = `t${i % 50}`;
      if (i % 7 === 0) {
        expect(writer.marker()).to.equal(true);
        sent.push('marker');
      } else {
        expect(writer.msg(i, tag, null, [i, 'x'.repeat(i % 40)])).to.equal(WRITTEN_OK);
        sent.push(`${i}:${tag}`);
      }
      if (i % 1000 === 999) {
        writer.publish();
        reader.pump();
      }
    }
    writer.publish();
    reader.pump();
    expect(got.map((g) => (g[0] === 'marker' ? 'marker' : `${g[1]}:${g[2]}`))).to.deep.equal(sent);
  });

  it('says FULL when the reader lags, and calls back once the reader has made room', async () => {
    const { writer, reader, got, rooms } = lane();
    let n = 0;
    while (writer.msg(n, 'incr', null, []) === WRITTEN_OK) n++;
    expect(writer.msg(n, 'incr', null, [])).to.equal(FULL);
    let markers = 0;
    while (writer.marker()) markers++; // the last few words
    expect(markers).to.be.below(5);
    writer.publish();
    writer.waitForRoom();
    expect(rooms()).to.equal(0);
    reader.pump();
    expect(got).to.have.length(n + markers);
    // The writer's Atomics.waitAsync wakes on a later turn of the event loop.
    for (let i = 0; i < 1000 && rooms() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(rooms()).to.equal(1);
    expect(writer.hasRoom()).to.equal(true);
    expect(writer.msg(n, 'incr', null, [])).to.equal(WRITTEN_OK);
  });

  it('hands over one batch per call and reads the rest on a later turn, however fast the writer is', async () => {
    const sab = newLaneBuffer();
    const writer = new LaneWriter(sab, () => {});
    let got = 0;
    const sink: LaneSink = {
      // A writer that never stops: every message read brings another one.
      msg: () => {
        got++;
        if (got < 1000) {
          writer.msg(1, 'more', null, [got]);
          writer.publish();
        }
      },
      reply: () => {},
      marker: () => true,
      paused: () => false,
      ref: (id, thread, name) => new ActorRef(id, thread, name, delivery),
      replyRef: (id, thread, call) => new ReplyRef(id, thread, call, delivery),
    };
    const reader = new LaneReader(sab, sink);
    writer.msg(1, 'more', null, [0]);
    writer.publish();
    reader.pump();
    expect(got).to.equal(1); // returned to the event loop instead of reading on forever
    for (let i = 0; i < 10_000 && got < 1000; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(got).to.equal(1000);
  });

  it('pauses at a MARKER whose packet has not arrived, and resumes where it stopped', () => {
    let arrived = false;
    const { writer, reader, got } = lane(() => arrived);
    writer.msg(1, 'a', null, []);
    writer.marker();
    writer.msg(2, 'b', null, []);
    writer.publish();
    reader.pump();
    expect(got.map((g) => g[0])).to.deep.equal(['msg']);
    arrived = true;
    reader.pump();
    expect(got.map((g) => g[0])).to.deep.equal(['msg', 'marker', 'msg']);
  });
});
