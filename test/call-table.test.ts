/**
 * The table of calls in flight (src/actors/call-table.ts): it holds exactly what a Map keyed by id would,
 * through any mix of adds and deletes (probe runs that wrap, grow and shrink included).
 */
import { expect } from 'chai';
import { CallTable } from '../src/actors/call-table.js';

interface Entry {
  id: number;
}

describe('CallTable (calls in flight by id)', () => {
  it('holds exactly what a Map would through 200k random adds, lookups and deletes', () => {
    const table = new CallTable<Entry>();
    const model = new Map<number, Entry>();
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let nextId = 1;
    for (let step = 0; step < 200_000; step++) {
      const r = random();
      // Phases: mostly adds (grow to hundreds), then mostly deletes (shrink), and ids that collide.
      const addBias = Math.floor(step / 20_000) % 2 === 0 ? 0.6 : 0.4;
      if (r < addBias) {
        const id = random() < 0.1 ? nextId + 16 * Math.floor(random() * 64) : nextId;
        nextId = Math.max(nextId, id) + 1;
        if (model.has(id)) continue;
        const e = { id };
        table.add(e);
        model.set(id, e);
      } else if (model.size > 0) {
        const keys = [...model.keys()];
        const id = keys[Math.floor(random() * keys.length)]!;
        const e = model.get(id)!;
        expect(table.delete(e)).to.equal(true);
        expect(table.delete(e)).to.equal(false);
        model.delete(id);
      }
      if (step % 997 === 0) {
        expect(table.size).to.equal(model.size);
        for (const [id, e] of model) expect(table.get(id)).to.equal(e);
        expect(table.get(nextId + 1)).to.equal(undefined);
        const ids = (es: Iterable<Entry>) => [...es].map((e) => e.id).sort((x, y) => x - y);
        expect(ids(table.values())).to.deep.equal(ids(model.values()));
      }
    }
  });

  it('does not delete an entry of the same id that is not the one given', () => {
    const table = new CallTable<Entry>();
    const a = { id: 5 };
    table.add(a);
    expect(table.delete({ id: 5 })).to.equal(false);
    expect(table.get(5)).to.equal(a);
  });
});
