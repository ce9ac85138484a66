import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import {
  clusterKey,
  decodePacket,
  EnvelopeError,
  type EnvelopeErrorReason,
  type EnvelopeHeader,
  encodePacket,
  openBatch,
  PACKET_TAG,
  sealBatch,
} from '../../src/cluster/envelope.js';

const A = 'node-a~0123456789abcdef';
const B = 'node_B-2~fedcba9876543210';
const header = (over: Partial<EnvelopeHeader> = {}): EnvelopeHeader => ({
  cluster: 'c1',
  from: A,
  to: B,
  kind: 'b',
  epoch: 1,
  seq: 7,
  ...over,
});
const KEY = clusterKey('c1', 'the secret');
const roundTrip = <T>(v: T): T => decodePacket(encodePacket(v)) as T;

function expectEnvelopeError(fn: () => unknown, reason: EnvelopeErrorReason): EnvelopeError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(EnvelopeError);
    expect((err as EnvelopeError).reason, (err as Error).message).to.equal(reason);
    return err as EnvelopeError;
  }
  expect.fail(`expected EnvelopeError('${reason}')`);
}

/** Builds a batch by hand: `[P][1][flags][u16 hlen][header][u32 count]([u32 len][packet])*[tag?]`. */
function frame(headerBytes: Uint8Array, packets: Uint8Array[], key?: Uint8Array, flags?: number): Buffer {
  const parts: Buffer[] = [
    Buffer.from([0x50, 2, flags ?? (key ? 1 : 0), headerBytes.length >> 8, headerBytes.length & 255]),
  ];
  parts.push(Buffer.from(headerBytes));
  const count = Buffer.alloc(4);
  count.writeUInt32BE(packets.length);
  parts.push(count);
  for (const p of packets) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(p.length);
    parts.push(len, Buffer.from(p));
  }
  const body = Buffer.concat(parts);
  return key ? Buffer.concat([body, createHmac('sha256', key).update(body).digest()]) : body;
}

/** msgpack of a header array [cluster, from, to, kind, epoch, seq], written by hand for odd values. */
function headerBytesOf(fields: unknown[]): Uint8Array {
  // take a real sealed batch's header bytes when the fields are valid, else craft with the packet encoder
  // (mode byte stripped): the header decoder reads the same plain msgpack.
  return encodePacket(fields).subarray(1);
}

describe('cluster envelope: packets', () => {
  it('round-trips a small message as plain msgpack (mode 0)', () => {
    const msg = { op: 'msg', to: 4294967297, m: ['deposit', [1, 0, 'Account'], [10], {}] };
    const bytes = encodePacket(msg);
    expect(bytes[0]).to.equal(0);
    expect(decodePacket(bytes)).to.deep.equal(msg);
  });

  it('round-trips primitives: undefined, null, booleans, NaN, ±Infinity, -0, big and small integers', () => {
    for (const v of [
      undefined,
      null,
      true,
      false,
      0,
      1,
      -1,
      255,
      65536,
      2 ** 32 + 1,
      -(2 ** 40),
      2 ** 53 + 2,
    ]) {
      expect(roundTrip(v)).to.equal(v);
    }
    for (const v of [2 ** 63, 2 ** 64 + 4096, 1e300, -1e-300, 0.1, Number.MAX_VALUE, Number.MIN_VALUE]) {
      expect(roundTrip(v)).to.equal(v);
    }
    expect(roundTrip(Number.NaN)).to.be.NaN;
    expect(roundTrip(Number.POSITIVE_INFINITY)).to.equal(Number.POSITIVE_INFINITY);
    expect(roundTrip(Number.NEGATIVE_INFINITY)).to.equal(Number.NEGATIVE_INFINITY);
    expect(Object.is(roundTrip(-0), -0)).to.equal(true);
    expect(Object.is(roundTrip(0), 0)).to.equal(true);
    const arr = roundTrip<[number, number, { z: number }]>([0, -0, { z: -0 }]);
    expect(Object.is(arr[1], -0)).to.equal(true);
    expect(Object.is(arr[0], 0)).to.equal(true);
    expect(Object.is(arr[2].z, -0)).to.equal(true);
  });

  it('round-trips BigInts of any size and sign', () => {
    for (const v of [
      0n,
      1n,
      -1n,
      2n ** 63n - 1n,
      2n ** 63n,
      2n ** 64n - 1n,
      2n ** 64n,
      -(2n ** 63n),
      -(2n ** 63n) - 1n,
    ]) {
      expect(roundTrip(v)).to.equal(v);
    }
    const huge = 7n ** 5000n;
    expect(roundTrip(huge)).to.equal(huge);
    expect(roundTrip(-huge)).to.equal(-huge);
  });

  it('round-trips strings, including lone surrogates in values and keys, and the empty string', () => {
    for (const s of [
      '',
      'abc',
      'é€😀',
      'x'.repeat(70000),
      '\u0000parley',
      '\ud800',
      'a\udc00b',
      '\udbff\ud800',
      '😀\ud83d',
    ]) {
      expect(roundTrip(s)).to.equal(s);
    }
    const o = roundTrip({ 'k\ud800': 'v\udfff', ok: ['\ud83d', 1] });
    expect(Object.keys(o)).to.deep.equal(['k\ud800', 'ok']);
    expect(o['k\ud800']).to.equal('v\udfff');
    expect(o.ok[0]).to.equal('\ud83d');
    const m = roundTrip(new Map([['\ud800', '\udc00']]));
    expect([...m]).to.deep.equal([['\ud800', '\udc00']]);
  });

  it('round-trips plain objects and arrays, nested, with odd keys', () => {
    const v = {
      a: [1, [2, [3, {}]], []],
      '': 1,
      0: 'zero',
      10: 'ten',
      'a b': { 'c.d': null },
      constructor: 'x',
      toString: 7,
    };
    const out = roundTrip(v);
    expect(out).to.deep.equal(v);
    expect(Object.keys(out)).to.deep.equal(Object.keys(v));
    expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
  });

  it('keeps an own __proto__ key as an own key and never sets a prototype', () => {
    const v = JSON.parse('{"__proto__": {"polluted": 1}, "y": 2, "nested": {"__proto__": [1]}}');
    const out = roundTrip(v);
    expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).to.equal(true);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).to.deep.equal({ polluted: 1 });
    expect(Object.keys(out)).to.deep.equal(['__proto__', 'y', 'nested']);
    expect(out.polluted).to.equal(undefined);
    expect(Object.getPrototypeOf(out.nested)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out.nested, '__proto__')?.value).to.deep.equal([1]);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('keeps a user object that has the packet tag key as it is', () => {
    const v = { [PACKET_TAG]: 'r', i: 0 };
    expect(roundTrip(v)).to.deep.equal(v);
    const m = new Map([[1, { [PACKET_TAG]: 'z' }]]); // a Map forces mode 1, where tags are read
    const out = roundTrip(m);
    expect(out.get(1)).to.deep.equal({ [PACKET_TAG]: 'z' });
  });

  it('turns holes in arrays into undefined, keeping the length (the chosen difference from structured clone)', () => {
    // biome-ignore lint/suspicious/noSparseArray: the point of the test
    const out = roundTrip([1, , 3]);
    expect(out).to.have.length(3);
    expect(out[1]).to.equal(undefined);
    expect(1 in out).to.equal(true);
  });

  it('round-trips Map, Set, Date, RegExp with their contents', () => {
    const m = new Map<unknown, unknown>([
      [1, { a: 1 }],
      ['k', [2]],
      [{ obj: true }, new Set([1])],
      [2n, null],
    ]);
    const out = roundTrip(m);
    expect(out).to.be.instanceOf(Map);
    expect([...out]).to.deep.equal([...m]);
    expect(roundTrip(new Map())).to.deep.equal(new Map());
    const s = roundTrip(new Set<unknown>([1, 'a', { b: 2 }, -0, new Map([[1, 2]])]));
    expect(s).to.be.instanceOf(Set);
    expect([...s]).to.deep.equal([1, 'a', { b: 2 }, 0, new Map([[1, 2]])]);
    for (const t of [0, 1, -1, 1.5e12 + 123, -8.64e15, 8.64e15, 1e12]) {
      const d = roundTrip(new Date(t));
      expect(d).to.be.instanceOf(Date);
      expect(d.getTime()).to.equal(t);
    }
    expect(Number.isNaN(roundTrip(new Date(Number.NaN)).getTime())).to.equal(true);
    const r = roundTrip(/a(b+)c\//gimsuy);
    expect(r).to.be.instanceOf(RegExp);
    expect(r.source).to.equal('a(b+)c\\/');
    expect(r.flags).to.equal('gimsuy');
  });

  it('round-trips ArrayBuffer, every typed array kind and DataView', () => {
    const ab = roundTrip(new Uint8Array([1, 2, 255]).buffer);
    expect(ab).to.be.instanceOf(ArrayBuffer);
    expect([...new Uint8Array(ab)]).to.deep.equal([1, 2, 255]);
    const kinds = [
      new Int8Array([-1, 2]),
      new Uint8Array([1, 255]),
      new Uint8ClampedArray([0, 255]),
      new Int16Array([-300, 300]),
      new Uint16Array([65535]),
      new Int32Array([-(2 ** 31)]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([1.5, -0]),
      new Float64Array([Math.PI, Number.NaN, -0]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
    ];
    for (const ta of kinds) {
      const out = roundTrip(ta);
      expect(out.constructor).to.equal(ta.constructor);
      expect(Object.is(out[out.length - 1], ta[ta.length - 1])).to.equal(true);
      expect([...(out as Iterable<unknown>)]).to.deep.equal([...(ta as Iterable<unknown>)]);
    }
    const dv = new DataView(new ArrayBuffer(6));
    dv.setUint16(2, 0xbeef);
    const outDv = roundTrip(dv);
    expect(outDv).to.be.instanceOf(DataView);
    expect(outDv.byteLength).to.equal(6);
    expect(outDv.getUint16(2)).to.equal(0xbeef);
    // a view into a larger buffer arrives with its own bytes only
    const view = new Uint16Array(new Uint16Array([1, 2, 3, 4]).buffer, 2, 2);
    expect([...roundTrip(view)]).to.deep.equal([2, 3]);
    // a decoded Buffer/typed array does not alias the packet bytes
    const bytes = encodePacket({ b: Buffer.from([1, 2, 3]), u: new Uint8Array([4]) });
    const out = decodePacket(bytes) as { b: Uint8Array; u: Uint8Array };
    bytes.fill(0);
    expect([...out.b]).to.deep.equal([1, 2, 3]);
    expect([...out.u]).to.deep.equal([4]);
  });

  it('keeps shared objects one object and cycles cyclic', () => {
    const shared = { s: 1 };
    const pair = roundTrip<[object, object, { inner: object }]>([shared, shared, { inner: shared }]);
    expect(pair[0]).to.equal(pair[1]);
    expect(pair[2].inner).to.equal(pair[0]);
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    cyc.list = [cyc, { back: cyc }];
    const c = roundTrip(cyc);
    expect(c.self).to.equal(c);
    expect((c.list as unknown[])[0]).to.equal(c);
    expect(((c.list as unknown[])[1] as { back: unknown }).back).to.equal(c);
    const arr: unknown[] = [1];
    arr.push(arr);
    const a = roundTrip(arr);
    expect(a[1]).to.equal(a);
    const m = new Map<unknown, unknown>();
    m.set('me', m);
    m.set(m, 'key');
    const mm = roundTrip(m);
    expect(mm.get('me')).to.equal(mm);
    expect(mm.get(mm)).to.equal('key');
    const s = new Set<unknown>();
    s.add(s);
    const ss = roundTrip(s);
    expect(ss.has(ss)).to.equal(true);
    const d = new Date(5);
    const dd = roundTrip({ x: d, y: d });
    expect(dd.x).to.equal(dd.y);
    const p = JSON.parse('{"__proto__": 1}');
    p.me = p;
    const pp = roundTrip(p);
    expect(pp.me).to.equal(pp);
    expect(Object.getPrototypeOf(pp)).to.equal(Object.prototype);
  });

  it('finds an object shared far apart in a large value, and packs a large tree as plain msgpack', () => {
    const tree = Array.from({ length: 1000 }, (_, i) => ({ i, inner: [i] }));
    const treeBytes = encodePacket(tree);
    expect(treeBytes[0]).to.equal(0);
    expect(decodePacket(treeBytes)).to.deep.equal(tree);
    const shared = { s: true };
    const graph = [shared, ...tree, shared];
    const bytes = encodePacket(graph);
    expect(bytes[0]).to.equal(1);
    const out = decodePacket(bytes) as unknown[];
    expect(out[0]).to.equal(out[1001]);
    expect(out.slice(1, 1001)).to.deep.equal(tree);
  });

  it("round-trips the thread wire's tagged values and a whole message", () => {
    const TAG = '\u0000parley';
    const v = {
      op: 'msg',
      to: 2 ** 32 * 3 + 5,
      m: [
        'deposit',
        { [TAG]: 'ref', r: [4294967297, 1, 'acct'] },
        [{ [TAG]: 'error', e: { name: 'TypeError', message: 'x', stack: 's', cause: undefined, props: {} } }],
        { [TAG]: 'graph', v: { k: 1 } },
      ],
    };
    expect(roundTrip(v)).to.deep.equal(v);
  });

  it('round-trips class instances as plain objects of their own enumerable fields, ignoring toJSON', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
      get sum(): number {
        return this.x + this.y;
      }
      toJSON(): string {
        return 'nope';
      }
    }
    const out = roundTrip(new Point(1, 2)) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
    expect(out).to.deep.equal({ x: 1, y: 2 });
    const nullProto = Object.assign(Object.create(null), { a: 1 });
    expect(roundTrip(nullProto)).to.deep.equal({ a: 1 });
    const err = roundTrip({ e: new TypeError('bad', { cause: 'why' }) }).e; // raw errors: msgpackr's own way
    expect(err).to.be.instanceOf(TypeError);
    expect([err.message, err.cause]).to.deep.equal(['bad', 'why']);
  });

  it("refuses functions and symbols with EnvelopeError('encode'), and keeps working afterwards", () => {
    expectEnvelopeError(() => encodePacket({ f: () => 1 }), 'encode');
    expectEnvelopeError(() => encodePacket([Symbol('s')]), 'encode');
    expectEnvelopeError(() => encodePacket(new Map([[1, () => 1]])), 'encode');
    let deep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expectEnvelopeError(() => encodePacket(deep), 'encode');
    expect(roundTrip({ still: ['fine'] })).to.deep.equal({ still: ['fine'] });
  });

  it('decodes every packet alone (no state carried between packets)', () => {
    const a = encodePacket({ x: 1, y: [2] });
    const b = encodePacket({ x: 3, y: [4] });
    const bCopy = Uint8Array.from(b);
    const aCopy = Uint8Array.from(a);
    expect(decodePacket(bCopy)).to.deep.equal({ x: 3, y: [4] });
    expect(decodePacket(aCopy)).to.deep.equal({ x: 1, y: [2] });
  });
});

describe('cluster envelope: untrusted packets', () => {
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(protoBefore);
  });

  it('decodes crafted __proto__ and constructor.prototype keys without touching any prototype', () => {
    // mode 0: fixmap { "__proto__": { "polluted": 1 } }
    const key = (s: string) => [0xa0 | s.length, ...Buffer.from(s)];
    const m0 = Uint8Array.from([0, 0x81, ...key('__proto__'), 0x81, ...key('polluted'), 1]);
    const o0 = decodePacket(m0) as Record<string, unknown>;
    expect(Object.getPrototypeOf(o0)).to.equal(Object.prototype);
    expect(o0.polluted).to.equal(undefined);
    // mode 0: { constructor: { prototype: { polluted: 1 } } }
    const m1 = Uint8Array.from([
      0,
      0x81,
      ...key('constructor'),
      0x81,
      ...key('prototype'),
      0x81,
      ...key('polluted'),
      1,
    ]);
    const o1 = decodePacket(m1) as Record<string, unknown>;
    expect(Object.hasOwn(o1, 'constructor')).to.equal(true);
    // mode 1: the same, and an 'o' node with a __proto__ entry, and a Map
    const m2 = Uint8Array.from([1, ...m0.subarray(1)]);
    expect(Object.getPrototypeOf(decodePacket(m2))).to.equal(Object.prototype);
    const oNode = encodePacket(JSON.parse('{"__proto__": {"polluted": 1}}'));
    expect(oNode[0]).to.equal(1);
    const o3 = decodePacket(oNode) as Record<string, unknown>;
    expect(o3.polluted).to.equal(undefined);
    // a record definition (msgpackr extension 'r') with a __proto__ key
    const rec = Uint8Array.from([
      0,
      0xd4,
      0x72,
      0x40,
      0x91,
      ...key('__proto__'),
      0x81,
      ...key('polluted'),
      1,
    ]);
    try {
      const o4 = decodePacket(rec) as Record<string, unknown>;
      expect(Object.getPrototypeOf(o4)).to.equal(Object.prototype);
    } catch (err) {
      expect(err).to.be.instanceOf(EnvelopeError);
    }
  });

  it('fails fast on a few bytes that claim a 4-GiB array, map, string, binary or extension', () => {
    const claims = [
      [0xdd, 0xff, 0xff, 0xff, 0xff], // array32
      [0xdf, 0xff, 0xff, 0xff, 0xff], // map32
      [0xdb, 0xff, 0xff, 0xff, 0xff], // str32
      [0xc6, 0xff, 0xff, 0xff, 0xff], // bin32
      [0xc9, 0xff, 0xff, 0xff, 0xff, 0x74], // ext32 typed array
      [0xc9, 0xff, 0xff, 0xff, 0xff, 0x42], // ext32 bigint
      [0xdc, 0xff, 0xff, 0xdd, 0xff, 0xff, 0xff, 0xff], // array16 of array32
    ];
    for (const mode of [0, 1]) {
      for (const c of claims) {
        const t = process.hrtime.bigint();
        expectEnvelopeError(() => decodePacket(Uint8Array.from([mode, ...c, 0, 0, 0])), 'decode');
        expect(Number(process.hrtime.bigint() - t) / 1e6).to.be.below(1000);
      }
    }
  });

  it("refuses bad packets with EnvelopeError('decode'): empty, unknown mode, trailing bytes, structured-clone pointers, bad nodes", () => {
    const bad: number[][] = [
      [],
      [0],
      [2, 0xc0],
      [0, 0xc0, 0xc0], // trailing
      [0, 0xd6, 0x70, 0, 0, 0, 1], // msgpackr pointer extension (switched off)
      [0, 0xd6, 0x69, 0, 0, 0, 1, 0x90], // msgpackr id extension (switched off)
      [0, 0xd4, 0x01, 0x00], // unknown extension
    ];
    const K = [0xa3, 0x00, 0x70, 0x6b]; // "\u0000pk"
    bad.push([1, 0x81, ...K, 0xa1, 0x71]); // unknown kind 'q'
    bad.push([1, 0x82, ...K, 0xa1, 0x72, 0xa1, 0x69, 0x05]); // ref to unknown id 5
    bad.push([1, 0x82, ...K, 0xa1, 0x64, 0xa1, 0x69, 0x03, 0xc0]); // truncated 'd' (odd map)
    bad.push([1, 0x83, ...K, 0xa1, 0x64, 0xa1, 0x69, 0x03, 0xa1, 0x76, 0xc0]); // out-of-order id
    bad.push([
      1,
      0x83,
      ...K,
      0xa1,
      0x64,
      0xa1,
      0x69,
      0x00,
      0xa1,
      0x76,
      0x82,
      ...K,
      0xa1,
      0x72,
      0xa1,
      0x69,
      0x00,
    ]); // self-ref before defined
    bad.push([1, 0x82, ...K, 0xa1, 0x6d, 0xa1, 0x65, 0x91, 0x01]); // Map with odd entry list
    bad.push([1, 0x82, ...K, 0xa1, 0x6f, 0xa1, 0x65, 0x92, 0x01, 0x02]); // object with a number key
    bad.push([1, 0x82, ...K, 0xa1, 0x73, 0xa1, 0x75, 0xc4, 0x01, 0x41]); // odd-length utf-16
    bad.push([1, 0x82, ...K, 0xa1, 0x53, 0xa1, 0x65, 0x01]); // Set whose entries aren't an array
    for (const b of bad) expectEnvelopeError(() => decodePacket(Uint8Array.from(b)), 'decode');
    let deep = Buffer.alloc(200000, 0x91);
    deep = Buffer.concat([Buffer.from([1]), deep, Buffer.from([0xc0])]);
    expectEnvelopeError(() => decodePacket(deep), 'decode');
    expect(decodePacket(Uint8Array.from([1, 0x81, ...K, 0xa1, 0x7a]))).to.satisfy((v: number) =>
      Object.is(v, -0),
    );
  });

  it('refuses the never-used byte 0xC1, record definitions and string bundles before msgpackr sees them', () => {
    expectEnvelopeError(() => decodePacket(Uint8Array.from([0, 0xc1])), 'decode');
    expectEnvelopeError(() => decodePacket(Uint8Array.from([1, 0x91, 0xc1])), 'decode');
    // msgpackr record definition: d4 72 40 + [keys] + values
    expectEnvelopeError(
      () => decodePacket(Uint8Array.from([0, 0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x01])),
      'decode',
    );
    // Set/Error/RegExp tags are allowed only as fixext1 before their value; a data extension only with data
    expect(decodePacket(Uint8Array.from([0, 0xd4, 0x73, 0x00, 0x91, 0x01]))).to.deep.equal(new Set([1]));
    expectEnvelopeError(
      () => decodePacket(Uint8Array.from([0, 0xd5, 0x73, 0x00, 0x00, 0x91, 0x01])),
      'decode',
    );
  });

  it('fails fast on string bundles whose offsets would re-read one large string per element', () => {
    // array16 of N elements, each a msgpackr string bundle (fixext4 0x62) pointing at one big string:
    // msgpackr alone takes time N × S (seconds here); the shape check refuses it in one pass
    const N = 60000;
    const S = 400_000;
    const parts: number[] = [1, 0xdc, N >> 8, N & 255];
    const strPos = parts.length + N * 7;
    for (let i = 0; i < N; i++) {
      const jump = strPos - (parts.length + 6) + 4;
      parts.push(0xd6, 0x62, (jump >>> 24) & 255, (jump >>> 16) & 255, (jump >>> 8) & 255, jump & 255, 0xc0);
    }
    const big = Buffer.concat([
      Buffer.from(parts),
      Buffer.from([0xdb, S >>> 24, (S >>> 16) & 255, (S >>> 8) & 255, S & 255]),
      Buffer.alloc(S, 0x61),
      Buffer.from([0xa0]),
    ]);
    const t = process.hrtime.bigint();
    expectEnvelopeError(() => decodePacket(big), 'decode');
    expect(Number(process.hrtime.bigint() - t) / 1e6).to.be.below(1000);
  });
});

describe('cluster envelope: batches', () => {
  const packets = [encodePacket({ a: 1 }), encodePacket('two'), encodePacket(new Map([[1, 2]]))];

  it('seals and opens a batch, unsigned and signed, with packets as subarrays', () => {
    for (const key of [undefined, KEY]) {
      for (const h of [
        header(),
        header({ to: '*', kind: 'hb', epoch: 0, seq: 0 }),
        header({ kind: 'bye', seq: 2 ** 53 - 1 }),
      ]) {
        const bytes = sealBatch(h, packets, key);
        const out = openBatch(bytes, key, 'c1');
        expect(out.header).to.deep.equal(h);
        expect(out.packets).to.have.length(3);
        expect(out.packets[0].buffer).to.equal(bytes.buffer);
        expect(out.packets.map(decodePacket)).to.deep.equal([{ a: 1 }, 'two', new Map([[1, 2]])]);
      }
      expect(openBatch(sealBatch(header(), [], key), key, 'c1').packets).to.deep.equal([]);
    }
  });

  it('has the documented length: 5 + header + 4 + Σ(4 + packet) (+ 32 if signed)', () => {
    const hLen = headerBytesOf(['c1', A, B, 'b', 1, 7]).length;
    for (const n of [0, 1, 10, 100]) {
      const ps = Array.from({ length: n }, (_, i) => encodePacket({ i, s: 'x'.repeat(i) }));
      const sum = ps.reduce((s, p) => s + 4 + p.length, 0);
      const unsigned = sealBatch(header(), ps, undefined);
      expect(unsigned.length).to.equal(5 + hLen + 4 + sum);
      expect(sealBatch(header(), ps, KEY).length).to.equal(5 + hLen + 4 + sum + 32);
      expect([unsigned[0], unsigned[1], unsigned[2]]).to.deep.equal([0x50, 2, 0]);
      expect((unsigned[3] << 8) | unsigned[4]).to.equal(hLen);
      expect(Buffer.from(unsigned).readUInt32BE(5 + hLen)).to.equal(n);
    }
    expect(sealBatch(header(), [], KEY)[2]).to.equal(1);
  });

  it('matches a batch framed by hand from the documented layout', () => {
    const hb = headerBytesOf(['c1', A, B, 'b', 1, 7]);
    const sealed = sealBatch(header(), packets, KEY);
    expect(Buffer.from(sealed).equals(frame(hb, packets, KEY))).to.equal(true);
  });

  it("rejects an envelope from another cluster with 'cluster'", () => {
    expectEnvelopeError(
      () => openBatch(sealBatch(header({ cluster: 'c2' }), [], undefined), undefined, 'c1'),
      'cluster',
    );
    expectEnvelopeError(() => openBatch(sealBatch(header({ cluster: 'c2' }), [], KEY), KEY, 'c1'), 'cluster');
  });

  it("rejects a signed envelope when no key is set, an unsigned one when a key is, and a wrong key, with 'signature'", () => {
    expectEnvelopeError(() => openBatch(sealBatch(header(), packets, KEY), undefined, 'c1'), 'signature');
    expectEnvelopeError(() => openBatch(sealBatch(header(), packets, undefined), KEY, 'c1'), 'signature');
    expectEnvelopeError(
      () => openBatch(sealBatch(header(), packets, KEY), clusterKey('c1', 'other'), 'c1'),
      'signature',
    );
    expectEnvelopeError(
      () => openBatch(sealBatch(header(), packets, clusterKey('c2', 'the secret')), KEY, 'c1'),
      'signature',
    );
  });

  it('checks the signature before decoding any msgpack', () => {
    // a header that would make msgpack fail (0xc1 is never used), and a length field that lies
    const poison = frame(
      Uint8Array.from([0xc1, 0xdd, 0xff, 0xff, 0xff, 0xff]),
      [Uint8Array.from([0xc1])],
      clusterKey('c1', 'wrong'),
    );
    expectEnvelopeError(() => openBatch(poison, KEY, 'c1'), 'signature');
    const liar = Buffer.from(sealBatch(header(), packets, clusterKey('c1', 'wrong')));
    liar.writeUInt32BE(0xffffffff, liar.length - 32 - packets[2].length - 4);
    expectEnvelopeError(() => openBatch(liar, KEY, 'c1'), 'signature');
    // with the right key, the same poison header is refused as 'header'
    expectEnvelopeError(
      () => openBatch(frame(Uint8Array.from([0xc1]), [Uint8Array.from([0xc1])], KEY), KEY, 'c1'),
      'header',
    );
  });

  it("rejects bad header fields with 'header'", () => {
    const cases: unknown[][] = [
      ['c1', 'node-a', B, 'b', 1, 7], // no incarnation
      ['c1', 'node-a~0123456789ABCDEF', B, 'b', 1, 7], // upper-case hex
      ['c1', 'node-a~0123456789abcde', B, 'b', 1, 7], // 15 hex chars
      ['c1', `${'n'.repeat(65)}~0123456789abcdef`, B, 'b', 1, 7], // node name too long
      ['c1', 'no de~0123456789abcdef', B, 'b', 1, 7], // bad char
      ['c1', '*', B, 'b', 1, 7], // from must be a node
      ['c1', A, '**', 'b', 1, 7],
      ['c1', A, 5, 'b', 1, 7],
      ['c1', A, B, 'x', 1, 7], // unknown kind
      ['c1', A, B, 'b', 1.5, 7], // epoch not integer
      ['c1', A, B, 'b', -1, 7],
      ['c1', A, B, 'b', 1, 7.5], // seq not integer
      ['c1', A, B, 'b', 1, 2 ** 53], // seq not safe
      ['c1', A, B, 'b', 1, Number.NaN],
      ['c1', A, B, 'b', 1, 7n], // BigInt seq
      ['c1', A, B, 'b', 1, '7'],
      ['c1', A, B, 'b', 1], // too short
      ['c1', A, B, 'b', 1, 7, 'extra'],
      ['c 1', A, B, 'b', 1, 7], // bad cluster name
      ['c'.repeat(33), A, B, 'b', 1, 7],
    ];
    for (const key of [undefined, KEY]) {
      for (const fields of cases) {
        expectEnvelopeError(() => openBatch(frame(headerBytesOf(fields), [], key), key, 'c1'), 'header');
      }
      expectEnvelopeError(
        () => openBatch(frame(headerBytesOf([{ cluster: 'c1' }]), [], key), key, 'c1'),
        'header',
      );
      expectEnvelopeError(
        () => openBatch(frame(encodePacket({ a: 1 }).subarray(1), [], key), key, 'c1'),
        'header',
      );
    }
  });

  it("refuses to seal a bad header with 'header'", () => {
    expectEnvelopeError(() => sealBatch(header({ seq: 1.5 }), [], undefined), 'header');
    expectEnvelopeError(() => sealBatch(header({ from: 'x' }), [], undefined), 'header');
    expectEnvelopeError(() => sealBatch(header({ kind: 'q' as 'b' }), [], KEY), 'header');
  });

  it('rejects short, foreign, future-version and mis-laid-out envelopes by reason', () => {
    const good = Buffer.from(sealBatch(header(), packets, undefined));
    expectEnvelopeError(() => openBatch(new Uint8Array(0), undefined, 'c1'), 'short');
    expectEnvelopeError(() => openBatch(good.subarray(0, 8), undefined, 'c1'), 'short');
    expectEnvelopeError(() => openBatch(Buffer.from('{"json": true}'), undefined, 'c1'), 'magic');
    const v2 = Buffer.from(good);
    v2[1] = 3;
    expectEnvelopeError(() => openBatch(v2, undefined, 'c1'), 'version');
    const flags = Buffer.from(good);
    flags[2] = 2;
    expectEnvelopeError(() => openBatch(flags, undefined, 'c1'), 'layout');
    expectEnvelopeError(() => openBatch(good.subarray(0, good.length - 1), undefined, 'c1'), 'layout');
    expectEnvelopeError(() => openBatch(Buffer.concat([good, Buffer.from([0])]), undefined, 'c1'), 'layout');
    const count = Buffer.from(good);
    count.writeUInt32BE(0xffffffff, 5 + ((good[3] << 8) | good[4]));
    expectEnvelopeError(() => openBatch(count, undefined, 'c1'), 'layout');
    const hlen = Buffer.from(good);
    hlen.writeUInt16BE(0xffff, 3);
    expectEnvelopeError(() => openBatch(hlen, undefined, 'c1'), 'layout');
    hlen.writeUInt16BE(0, 3);
    expectEnvelopeError(() => openBatch(hlen, undefined, 'c1'), 'layout');
    const signedShort = Buffer.from(sealBatch(header(), [], KEY)).subarray(0, 40);
    expectEnvelopeError(() => openBatch(signedShort, KEY, 'c1'), 'short');
  });

  it('derives different keys for different clusters and secrets, from strings or bytes alike', () => {
    expect(clusterKey('c1', 's')).to.have.length(32);
    expect(Buffer.from(clusterKey('c1', 's')).equals(Buffer.from(clusterKey('c2', 's')))).to.equal(false);
    expect(Buffer.from(clusterKey('c1', 's')).equals(Buffer.from(clusterKey('c1', 't')))).to.equal(false);
    expect(
      Buffer.from(clusterKey('c1', 'sé')).equals(Buffer.from(clusterKey('c1', Buffer.from('sé')))),
    ).to.equal(true);
    expect(() => clusterKey('c1', '')).to.throw(RangeError);
  });
});
