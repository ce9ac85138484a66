import { expect } from 'chai';
import {
  clusterKey,
  decodePacket,
  EnvelopeError,
  type EnvelopeHeader,
  encodePacket,
  openBatch,
  sealBatch,
} from '../../src/cluster/envelope.js';

// Reproduce a failure with ENVELOPE_FUZZ_SEED=<seed printed below> npx mocha test/cluster/envelope-fuzz.test.ts
const SEED = Number(process.env.ENVELOPE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
const INPUTS = 100_000;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function samplePackets(): Uint8Array[] {
  const shared = { s: [1, 2] };
  const cyc: Record<string, unknown> = { name: 'cyc' };
  cyc.self = cyc;
  const values: unknown[] = [
    { op: 'msg', to: 4294967297, m: ['deposit', [1, 0, 'Account'], [10], {}] },
    {
      op: 'call',
      id: 12,
      m: ['get', { '\u0000parley': 'ref', r: [2 ** 32 + 1, 1, 'x', 5] }, [], { deadline: 1e12 }],
    },
    'a string',
    [1, -0, Number.NaN, Number.NEGATIVE_INFINITY, 2n ** 100n, -5n, undefined, null, true],
    new Map<unknown, unknown>([
      ['k', 1],
      [2, [3]],
    ]),
    new Set([1, 'two', { three: 3 }]),
    { when: new Date(1.7e12), re: /x+y/g, bytes: new Uint8Array([1, 2, 3]), f: new Float64Array([0.5]) },
    [shared, shared, cyc],
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
    { 'lone\ud800': '\udc00', deep: [[[[{ x: [] }]]]] },
  ];
  return values.map((v) => Uint8Array.from(encodePacket(v)));
}

describe('cluster envelope fuzz', function () {
  this.timeout(120_000);

  it(`throws only EnvelopeError for ${INPUTS} random and mutated inputs, and accepts no altered signed batch (seed ${SEED})`, () => {
    const rnd = prng(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    const key = clusterKey('c1', 'fuzz secret');
    const packets = samplePackets();
    const header = (kind: EnvelopeHeader['kind'], seq: number): EnvelopeHeader => ({
      cluster: 'c1',
      from: 'node-a~0123456789abcdef',
      to: kind === 'hb' ? '*' : 'node-b~fedcba9876543210',
      kind,
      epoch: 3,
      seq,
    });
    const batches: { bytes: Uint8Array; signed: boolean }[] = [];
    for (const signed of [false, true]) {
      for (let i = 0; i < 12; i++) {
        const ps = Array.from({ length: i % 5 }, () => packets[int(packets.length)]);
        const bytes = sealBatch(
          header((['b', 'hb', 'bye'] as const)[i % 3], i * 1000),
          ps,
          signed ? key : undefined,
        );
        batches.push({ bytes: Uint8Array.from(bytes), signed });
      }
    }
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();
    const arrayProtoBefore = Object.getOwnPropertyNames(Array.prototype).sort().join();

    const stats = { inputs: 0, opened: 0, packetsDecoded: 0, rejected: {} as Record<string, number> };
    function fail(what: string, input: Uint8Array, i: number, err?: unknown): never {
      expect.fail(
        `${what} (seed ${SEED}, input ${i}): ${Buffer.from(input).toString('hex').slice(0, 400)}${err ? `\n${(err as Error)?.stack ?? err}` : ''}`,
      );
    }
    const rejected = (err: unknown, input: Uint8Array, i: number): void => {
      if (!(err instanceof EnvelopeError)) fail('threw something other than EnvelopeError', input, i, err);
      stats.rejected[err.reason] = (stats.rejected[err.reason] ?? 0) + 1;
    };
    const tryDecode = (p: Uint8Array, i: number): void => {
      try {
        decodePacket(p);
        stats.packetsDecoded++;
      } catch (err) {
        rejected(err, p, i);
      }
    };
    const tryOpen = (input: Uint8Array, k: Uint8Array | undefined, i: number): boolean => {
      try {
        const { packets: ps } = openBatch(input, k, 'c1');
        for (const p of ps) tryDecode(p, i);
        stats.opened++;
        return true;
      } catch (err) {
        rejected(err, input, i);
        return false;
      }
    };

    const mutate = (src: Uint8Array): Uint8Array => {
      let b: Uint8Array = Uint8Array.from(src);
      const rounds = 1 + int(3);
      for (let r = 0; r < rounds; r++) {
        const op = int(8);
        if (op <= 1 && b.length > 0) {
          b[int(b.length)] ^= 1 << int(8); // bit flip
        } else if (op === 2 && b.length > 0) {
          b[int(b.length)] = int(256); // byte set
        } else if (op === 3) {
          b = b.subarray(0, int(b.length + 1)); // truncate
        } else if (op === 4) {
          const extra = Uint8Array.from({ length: 1 + int(16) }, () => int(256)); // extend
          const at = int(b.length + 1);
          b = Uint8Array.from([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
        } else if (op === 5 && b.length > 9) {
          // length fields: header length, count, or a u32 somewhere after the header
          const edge = [0, 1, 2, 0xff, 0x100, 0xffff, 0x7fffffff, 0xffffffff, int(2 ** 32), int(64)][int(10)];
          const which = int(3);
          const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
          if (which === 0) view.setUint16(3, edge & 0xffff);
          else {
            const at = which === 1 ? 5 + ((b[3] << 8) | b[4]) : 5 + int(b.length - 8);
            if (at + 4 <= b.length) view.setUint32(at, edge >>> 0);
          }
        } else if (op === 6 && b.length > 1) {
          const at = int(b.length); // delete a run
          b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + int(8))]);
        } else {
          // msgpack-shaped garbage where a packet or header starts
          const tokens = [0xdd, 0xdf, 0xdb, 0xc6, 0xc9, 0xd4, 0xd6, 0xc7, 0xc1, 0x91, 0x81, 0xff];
          if (b.length > 0) b[int(b.length)] = tokens[int(tokens.length)];
        }
      }
      return b;
    };

    const started = process.hrtime.bigint();
    for (let i = 0; i < INPUTS; i++) {
      stats.inputs++;
      const kind = rnd();
      if (kind < 0.15) {
        // random bytes, half of them behind a valid magic/version/flags prefix
        const b = Uint8Array.from({ length: int(300) }, () => int(256));
        if (b.length > 3 && rnd() < 0.5) {
          b[0] = 0x50;
          b[1] = 2;
          b[2] = int(2);
        }
        tryOpen(b, undefined, i);
        tryOpen(b, key, i);
        tryDecode(b, i);
      } else if (kind < 0.35) {
        // packet mutations straight into decodePacket
        tryDecode(mutate(packets[int(packets.length)]), i);
      } else {
        const { bytes, signed } = batches[int(batches.length)];
        const m = mutate(bytes);
        const same = m.length === bytes.length && Buffer.from(m).equals(Buffer.from(bytes));
        if (signed) {
          if (tryOpen(m, key, i) && !same) fail('a mutated signed batch passed the HMAC', m, i);
          tryOpen(m, undefined, i);
        } else {
          tryOpen(m, undefined, i);
          if (tryOpen(m, key, i)) fail('an unsigned batch opened with a key set', m, i);
        }
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `      seed ${SEED}: ${stats.inputs} inputs in ${seconds.toFixed(1)} s`,
      JSON.stringify(stats),
    );

    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(([] as unknown as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.getOwnPropertyNames(Object.prototype).sort().join()).to.equal(protoBefore);
    expect(Object.getOwnPropertyNames(Array.prototype).sort().join()).to.equal(arrayProtoBefore);
    expect(seconds, `fuzz took ${seconds} s (seed ${SEED})`).to.be.below(60);
    expect(stats.opened).to.be.above(0); // the fuzz reached past the frame checks
    expect(stats.packetsDecoded).to.be.above(0);
  });
});
