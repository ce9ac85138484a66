import { expect } from 'chai';
import { Mailbox } from '../src/actors/mailbox.js';
import { type Message, NO_ARGS, NO_KWARGS } from '../src/core/message.js';

/** Drains `mb` with next(), as the dispatcher does, returning the messages as tuples. */
function drain(mb: Mailbox): Message[] {
  const out: Message[] = [];
  while (mb.size > 0) {
    mb.next();
    out.push(mb.current()!);
    mb.done();
  }
  return out;
}

const cast = (tag: string, ...args: unknown[]): Message => [tag, null, args, NO_KWARGS];

describe('Mailbox (chunked two-slot queue)', () => {
  it('keeps FIFO order across many chunks, and rewinds when emptied', () => {
    const mb = new Mailbox();
    for (let i = 0; i < 10_000; i++) mb.push('n', null, [i], NO_KWARGS);
    const first = drain(mb).map((m) => m[2][0]);
    expect(first).to.deep.equal(Array.from({ length: 10_000 }, (_, i) => i));
    mb.push('again', null, NO_ARGS, NO_KWARGS);
    expect(drain(mb)).to.deep.equal([cast('again')]);
  });

  it('interleaves pushes and takes without losing or reordering messages', () => {
    const mb = new Mailbox();
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < (round % 7) + 1; k++) mb.push('n', null, [next++], NO_KWARGS);
      for (let k = 0; k < (round % 5) + 1 && mb.size > 0; k++) {
        mb.next();
        seen.push(mb.args![0] as number);
        mb.done();
      }
    }
    for (const m of drain(mb)) seen.push(m[2][0] as number);
    expect(seen).to.deep.equal(Array.from({ length: next }, (_, i) => i));
  });

  it('keeps sender and kwargs, and gives argument-less messages a fresh args array', () => {
    const mb = new Mailbox();
    const sender = { send() {} };
    mb.push('a', sender, [1, 2], { k: 1 });
    mb.push('b', null, NO_ARGS, NO_KWARGS);
    const [a, b] = drain(mb);
    expect(a).to.deep.equal(['a', sender, [1, 2], { k: 1 }]);
    expect(a![1]).to.equal(sender);
    expect(b![2]).to.deep.equal([]);
    expect(b![2]).not.to.equal(NO_ARGS);
    expect(Object.isFrozen(b![2])).to.equal(false);
  });

  it('takes the first accepted message from the middle, across chunk boundaries, keeping the rest in order', () => {
    const mb = new Mailbox();
    for (let i = 0; i < 100; i++) mb.push(i === 57 ? 'wanted' : 'n', null, [i], NO_KWARGS);
    mb.next(); // the dispatcher took 0
    mb.done();
    expect(mb.take('wanted')).to.deep.equal(['wanted', null, [57], NO_KWARGS]);
    expect(mb.take((m) => m[2][0] === 90)).to.deep.equal(cast('n', 90));
    expect(mb.take('absent')).to.equal(undefined);
    expect(mb.take((m) => (m[2][0] as number) > 1000)).to.equal(undefined);
    const rest = [...mb].map((m) => m[2][0]);
    const expected = Array.from({ length: 99 }, (_, i) => i + 1).filter((i) => i !== 57 && i !== 90);
    expect(rest).to.deep.equal(expected);
    expect(drain(mb).map((m) => m[2][0])).to.deep.equal(expected);
  });

  it('takes the only message and is then empty and reusable', () => {
    const mb = new Mailbox();
    mb.push('x', null, NO_ARGS, NO_KWARGS);
    expect(mb.take(undefined)).to.deep.equal(cast('x'));
    expect(mb.size).to.equal(0);
    mb.push('y', null, [1], NO_KWARGS);
    expect(drain(mb)).to.deep.equal([cast('y', 1)]);
  });

  it('shows the current message, with its sender and kwargs, until done()', () => {
    const mb = new Mailbox();
    const sender = { send() {} };
    mb.push('t', sender, [1], { k: 2 });
    mb.next();
    expect(mb.current()).to.deep.equal(['t', sender, [1], { k: 2 }]);
    expect(mb.tag).to.equal('t');
    expect(mb.sender).to.equal(sender);
    expect(mb.kwargs).to.deep.equal({ k: 2 });
    mb.done();
    expect(mb.current()).to.equal(undefined);
  });
});
