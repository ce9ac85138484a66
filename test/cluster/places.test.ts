/**
 * Place translation of packets between nodes (src/cluster/places.ts): refs in a message are translated
 * once each, whether the message is a tree or shares objects, going out and coming in.
 */
import { expect } from 'chai';
import { decodePacket, encodePacket, packetMayShare } from '../../src/cluster/envelope.js';
import { Places, REMOTE_BASE } from '../../src/cluster/places.js';
import { ID_SPACE } from '../../src/core/inspect.js';
import { TAG } from '../../src/wire/format.js';

const A = 'a~0123456789abcdef';
const B = 'b~fedcba9876543210';
const ref = (id: number, thread: number) => ({ [TAG]: 'ref', r: [id, thread, 'X'] });

/** A over the wire to B: toWire on A, bytes, fromWire on B. */
function send(p: Record<string, unknown>): {
  a: Places;
  b: Places;
  got: Record<string, unknown>;
  bToA: number;
} {
  const a = new Places(A, '/tmp');
  const b = new Places(B, '/tmp');
  const aToB = a.alias(B, 0);
  p.to = aToB * ID_SPACE + 9;
  a.toWire(p);
  const bytes = encodePacket(p);
  const got = decodePacket(bytes) as Record<string, unknown>;
  b.fromWire(got, A, packetMayShare(bytes));
  return { a, b, got, bToA: b.alias(A, 0) };
}

describe('cluster places', () => {
  it('translates the sender and a ref in the args of a tree message to the receiving node', () => {
    const { got, bToA } = send({ op: 'msg', to: 0, m: ['t', ref(5, 0), [ref(7, 0), new Uint8Array(3)], {}] });
    const m = got.m as [string, { r: unknown[] }, [{ r: unknown[] }, Uint8Array], unknown];
    expect(got.to).to.equal(9); // B's own actor 9 on its thread 0
    expect(m[1].r).to.deep.equal([bToA * ID_SPACE + 5, bToA, 'X']);
    expect(m[2][0].r).to.deep.equal([bToA * ID_SPACE + 7, bToA, 'X']);
    expect(m[2][1]).to.deep.equal(new Uint8Array(3));
  });

  it('translates a ref object that a message holds twice once, going out and coming in', () => {
    const shared = ref(7, 0);
    const args = { [TAG]: 'graph', v: [shared, shared] };
    const { got, bToA } = send({ op: 'msg', to: 0, m: ['t', null, args, {}] });
    const v = ((got.m as unknown[])[2] as { v: { r: unknown[] }[] }).v;
    expect(v[0]).to.equal(v[1]); // still one object
    expect(v[0]!.r).to.deep.equal([bToA * ID_SPACE + 7, bToA, 'X']);
  });

  it("gives another node's threads alias places of their own, and its refs to this node back their own ids", () => {
    const a = new Places(A, '/tmp');
    const t0 = a.alias(B, 0);
    const t3 = a.alias(B, 3);
    expect(t0).to.be.at.least(REMOTE_BASE);
    expect(t3).to.not.equal(t0);
    expect(a.alias(B, 3)).to.equal(t3);
    expect(a.lookup(t3)).to.deep.equal({ node: 'b', key: B, thread: 3 });
    expect(a.idFromWire(`${A}:2:44`, B)).to.equal(2 * ID_SPACE + 44);
  });
});
