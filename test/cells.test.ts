import { expect } from 'chai';
import type { Cell } from '../src/actors/cell.js';
import { CellTable } from '../src/actors/cell-table.js';

const cell = (id: number) => ({ id }) as unknown as Cell;
const BASE = 2 * 2 ** 32; // thread 2's id space

describe('CellTable (the actors of one thread, by id)', () => {
  it('finds, counts and forgets actors of its own id space and of other threads', () => {
    const t = new CellTable(BASE);
    const mine = [1, 2, 1500, 5000].map((n) => cell(BASE + n));
    const foreign = [cell(7), cell(3 * 2 ** 32 + 9)];
    for (const c of [...mine, ...foreign]) t.set((c as unknown as { id: number }).id, c);
    expect(t.size).to.equal(6);
    expect(t.get(BASE + 1500)).to.equal(mine[2]);
    expect(t.get(3 * 2 ** 32 + 9)).to.equal(foreign[1]);
    expect(t.get(BASE + 3)).to.equal(undefined);
    expect(t.get(BASE + 999_999)).to.equal(undefined);
    expect([...t.values()]).to.deep.equal([...mine, ...foreign]);
    t.delete(BASE + 1500);
    t.delete(BASE + 1500); // twice: no effect
    t.delete(7);
    t.delete(BASE + 424242); // never there
    expect(t.size).to.equal(4);
    expect(t.get(BASE + 1500)).to.equal(undefined);
    expect([...t.values()]).to.deep.equal([mine[0], mine[1], mine[3], foreign[1]]);
  });

  it('keeps a million actors, and lets go of chunks whose actors have all exited', () => {
    const t = new CellTable(0);
    const n = 1_000_000;
    for (let i = 1; i <= n; i++) t.set(i, cell(i));
    expect(t.size).to.equal(n);
    for (let i = 1; i < n; i++) t.delete(i);
    expect(t.size).to.equal(1);
    expect([...t.values()]).to.deep.equal([cell(n)]);
    const chunks = (t as unknown as { chunks: unknown[] }).chunks;
    expect(chunks.filter((c) => c !== undefined)).to.have.length(1);
    t.set(n + 1, cell(n + 1)); // the current chunk is still there
    expect(t.get(n + 1)).to.deep.equal(cell(n + 1));
    expect(t.size).to.equal(2);
  });

  it('lets go of a chunk that emptied while it was the newest (each actor exits before the next spawn)', () => {
    const t = new CellTable(0);
    const n = 100 * 1024;
    for (let i = 1; i <= n; i++) {
      t.set(i, cell(i));
      t.delete(i);
    }
    expect(t.size).to.equal(0);
    const chunks = (t as unknown as { chunks: unknown[] }).chunks;
    // Only the chunk ids are handed out from is kept (a top-level spawn-and-crash loop leaked 8 KB per 1024).
    expect(chunks.filter((c) => c !== undefined)).to.have.length(1);
  });

  it('stays the size of what is alive under endless churn, around long-lived actors', () => {
    const t = new CellTable(0);
    const keep = [1, 5000, 2_000_000]; // long-lived, spawned early, in the middle, late
    const n = 4_000_000;
    let maxSlots = 0;
    for (let i = 1; i <= n; i++) {
      t.set(i, cell(i));
      if (!keep.includes(i)) t.delete(i);
      if (i % 4096 === 0) maxSlots = Math.max(maxSlots, t.slots);
    }
    // One slot per 1024 ids ever handed out would be ~3,900 here: the window slides instead.
    expect(maxSlots).to.be.below(200);
    expect(t.size).to.equal(3);
    expect(t.emptyChunks).to.equal(0);
    for (const id of keep) expect(t.get(id)).to.deep.equal(cell(id));
    expect(t.get(4242)).to.equal(undefined);
    expect([...t.values()]).to.deep.equal(keep.map(cell));
    t.set(n + 1, cell(n + 1));
    t.set(5000, cell(5000)); // set again while it lives (its chunk is behind the window)
    expect(t.size).to.equal(4);
    for (const id of keep) t.delete(id);
    expect([...t.values()]).to.deep.equal([cell(n + 1)]);
    expect(t.slots).to.be.below(200);
  });
});
