import { expect } from 'chai';
import { Ring } from '../src/actors/ring.js';

describe('Ring (the run-queue storage)', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const r = new Ring<number>();
    const out: number[] = [];
    for (let i = 0; i < 5; i++) r.push(i);
    out.push(r.shift(), r.shift());
    for (let i = 5; i < 40; i++) r.push(i);
    while (r.size > 0) out.push(r.shift());
    expect(out).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
  });

  it('takes the first accepted item from the middle and keeps the rest in order', () => {
    const r = new Ring<number>();
    for (let i = 0; i < 10; i++) r.push(i);
    r.shift();
    r.push(10);
    expect(r.take((x) => x % 4 === 3)).to.equal(3);
    expect(r.take((x) => x > 100)).to.equal(undefined);
    expect([...r]).to.deep.equal([1, 2, 4, 5, 6, 7, 8, 9, 10]);
  });
});
