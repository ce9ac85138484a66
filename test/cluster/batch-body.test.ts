/**
 * The cluster's fast path (src/cluster/batch-body.ts): plain messages and replies as binary records in a
 * batch, read back exactly; what is not plain is refused without a trace (it takes the packet path); a
 * record altered in any way reads back or fails with EnvelopeError('decode'), never anything else.
 */
import { expect } from 'chai';
import {
  BatchBody,
  PLAIN_MODE,
  type PlainRecord,
  REC_MSG,
  REC_REPLY,
  RecordReader,
  SENDER_ACTOR,
  SENDER_REPLY_TO,
} from '../../src/cluster/batch-body.js';
import { EnvelopeError, openBatch, sealBatch } from '../../src/cluster/envelope.js';
import { ActorRef, ReplyRef } from '../../src/core/ref.js';

const delivery = {} as never;
const header = {
  cluster: 'c1',
  from: `a~${'0'.repeat(16)}`,
  to: `b~${'1'.repeat(16)}`,
  kind: 'b' as const,
  epoch: 1,
  seq: 1,
};

/** The records of `body`, each read as a copy. */
function readAll(body: BatchBody): PlainRecord[] {
  const bytes = sealBatch(header, [], undefined, body);
  const { packets } = openBatch(bytes, undefined, 'c1');
  const reader = new RecordReader();
  reader.use(bytes);
  const out: PlainRecord[] = [];
  let p = 0;
  for (const packet of packets) {
    const start = packet.byteOffset - bytes.byteOffset;
    expect(bytes[start]).to.equal(PLAIN_MODE);
    out.push({ ...reader.read(start, start + packet.length) });
    p++;
  }
  expect(p).to.equal(body.count);
  return out;
}

const PLAIN_ARGS: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  2 ** 53 - 1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  'tag-like',
  'a string longer than thirty-two characters, ascii only',
  'ünïcödé',
  '🙂 emoji and 汉字, longer than thirty-two characters in all',
  'x'.repeat(100_000),
  new Uint8Array(0),
  new Uint8Array([1, 2, 3, 255]),
];

describe('cluster batch records (the fast path)', () => {
  it('carries every plain kind of arg, a sender of each kind and ids of both forms exactly', () => {
    const body = new BatchBody();
    const actor = new ActorRef(7, 1, 'Account', delivery, undefined);
    const replyTo = new ReplyRef(2 ** 32 + 5, 1, 99, delivery);
    expect(body.msg(0, 42, 'note', null, 0, PLAIN_ARGS)).to.be.greaterThan(0);
    expect(body.msg(3, -(2 ** 33 + 4) - 1, 'näme'.slice(0, 1), actor, 7, [1])).to.be.greaterThan(0);
    expect(body.msg(1, 0, 'call', replyTo, 2 ** 32 + 5, ['x'])).to.be.greaterThan(0);
    expect(body.reply(2, 123456, 'ok', [new Uint8Array([9])])).to.be.greaterThan(0);
    const [m1, m2, m3, r] = readAll(body);
    expect(m1).to.include({ kind: REC_MSG, at: 0, to: 42, tag: 'note', senderKind: 0 });
    expect(m1!.args).to.have.length(PLAIN_ARGS.length);
    m1!.args.forEach((v, i) => {
      const want = PLAIN_ARGS[i];
      if (typeof want === 'number') expect(Object.is(v, want), `arg ${i}: ${String(v)}`).to.equal(true);
      else expect(v, `arg ${i}`).to.deep.equal(want);
    });
    const bytes = m1!.args[23] as Uint8Array;
    expect(Object.getPrototypeOf(bytes)).to.equal(Uint8Array.prototype);
    expect(bytes.byteOffset).to.equal(0);
    expect(bytes.buffer.byteLength).to.equal(4);
    expect(m2).to.include({ kind: REC_MSG, at: 3, to: -(2 ** 33 + 4) - 1, tag: 'n' });
    expect(m2).to.include({ senderKind: SENDER_ACTOR, senderThread: 1, senderId: 7, senderName: 'Account' });
    expect(m3).to.include({
      senderKind: SENDER_REPLY_TO,
      senderThread: 1,
      senderId: 2 ** 32 + 5,
      senderCall: 99,
    });
    expect(r).to.include({ kind: REC_REPLY, at: 2, to: 123456, tag: 'ok', senderKind: 0 });
    expect(r!.args).to.deep.equal([new Uint8Array([9])]);
  });

  it('gives a view into a larger buffer as just its own bytes', () => {
    const big = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const body = new BatchBody();
    body.msg(0, 1, 't', null, 0, [big.subarray(2, 5)]);
    const got = readAll(body)[0]!.args[0] as Uint8Array;
    expect([...got]).to.deep.equal([2, 3, 4]);
    expect(got.buffer.byteLength).to.equal(3);
  });

  it('refuses what is not plain and appends nothing, so it takes the packet path', () => {
    const body = new BatchBody();
    body.msg(0, 1, 'first', null, 0, [1]);
    const len = body.len;
    const notPlain: unknown[][] = [
      [{}],
      [[1]],
      [Buffer.from('buffer')],
      [new Int8Array(2)],
      [new Uint16Array(2)],
      [10n],
      [Symbol('s')],
      [() => 1],
      [new Map()],
      [new Date(0)],
      ['lone \ud800 surrogate'],
      [new Proxy(new Uint8Array(2), {})],
      [Object.setPrototypeOf({ length: 1, 0: 7 }, Uint8Array.prototype)],
      [new Array(300).fill(0)].flat(),
    ];
    notPlain.forEach((args, i) => {
      expect(body.msg(0, 1, 'tag', null, 0, args), `case ${i}`).to.equal(0);
      expect(body.reply(0, 1, 'tag', args), `case ${i}`).to.equal(0);
    });
    expect(body.msg(0, 1, 'tàg', null, 0, [1]), 'a tag that is not ASCII').to.equal(0);
    const odd = new ActorRef(7, 0, 'Ünï', delivery, undefined);
    expect(body.msg(0, 1, 'tag', odd, 7, [1]), 'a sender name that is not ASCII').to.equal(0);
    expect(body.len).to.equal(len);
    expect(body.count).to.equal(1);
    expect(readAll(body)).to.have.length(1);
  });

  it('refuses a record larger than its limit before writing it, and lets a grown buffer go when reset', () => {
    const body = new BatchBody();
    body.max = 1000;
    expect(body.msg(0, 1, 'big', null, 0, [new Uint8Array(2000)])).to.equal(0);
    expect(body.reply(0, 1, 'big', ['x'.repeat(400)])).to.equal(0); // 3 bytes per unit reserved: over 1000
    expect(body.len).to.equal(0);
    expect(body.buf.length).to.equal(4096);
    body.max = Number.POSITIVE_INFINITY;
    expect(body.msg(0, 1, 'big', null, 0, [new Uint8Array(1 << 20)])).to.be.greaterThan(1 << 20);
    body.reset();
    expect(body.buf.length).to.equal(4096);
  });

  it('grows past its first buffer and keeps every record', () => {
    const body = new BatchBody();
    const blob = new Uint8Array(1000).fill(7);
    for (let i = 0; i < 500; i++) body.msg(0, i + 1, 'blob', null, 0, [i, blob]);
    const all = readAll(body);
    expect(all.map((r) => r.args[0])).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
    expect(all.every((r) => (r.args[1] as Uint8Array).every((b) => b === 7))).to.equal(true);
  });

  it('reads a record cut short, lengthened or with any byte changed back, or refuses it with EnvelopeError', () => {
    const body = new BatchBody();
    const actor = new ActorRef(7, 1, 'Account', delivery, undefined);
    body.msg(0, 42, 'note', actor, 7, ['text', 1.5, 3, null, true, new Uint8Array([1, 2])]);
    const record = body.buf.slice(4, body.len);
    const reader = new RecordReader();
    const tryRead = (bytes: Uint8Array): void => {
      reader.use(bytes);
      try {
        reader.read(0, bytes.length);
      } catch (err) {
        expect(err).to.be.instanceOf(EnvelopeError);
        expect((err as EnvelopeError).reason).to.equal('decode');
      }
    };
    for (let cut = 1; cut < record.length; cut++) {
      const short = record.slice(0, cut);
      reader.use(short);
      expect(() => reader.read(0, short.length), `cut at ${cut}`).to.throw(EnvelopeError);
    }
    const longer = new Uint8Array(record.length + 1);
    longer.set(record);
    reader.use(longer);
    expect(() => reader.read(0, longer.length)).to.throw(EnvelopeError, /after its args/);
    for (let i = 0; i < record.length; i++) {
      for (const b of [0, 1, 2, 7, 0x7f, 0x80, 0xff]) {
        const bent = record.slice();
        bent[i] = b;
        tryRead(bent);
      }
    }
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let k = 0; k < 20_000; k++) {
      const bent = record.slice(0, 1 + Math.floor(random() * record.length));
      for (let j = 0; j < 3; j++) bent[Math.floor(random() * bent.length)] = Math.floor(random() * 256);
      bent[0] = PLAIN_MODE;
      tryRead(bent);
    }
  });
});
