/**
 * @internal The calls in flight by call id: an open-addressing hash table (linear probing, deleted slots
 * marked and reclaimed by the next rebuild) whose hash is the id itself. Call ids count up, so consecutive calls land in consecutive slots;
 * a sequential caller adds and removes one entry per call with no allocation, where a `Map` churns its
 * backing tables (measured: ~3.5× the cost per call). Live and deleted slots together are kept at most 1/2
 * (the table is rebuilt, doubling if live ones fill a quarter) and live ones at least 1/8 (it halves, down to
 * 16 slots), so every operation is O(1) amortized and iterating is proportional to the calls in flight.
 * (Deleting by backward shift, tried first, walks the whole run of consecutive ids to its end: O(calls in
 * flight) per reply when replies come oldest first.)
 */

/** What the table holds: anything with a non-negative integer `id`. */
export interface Keyed {
  readonly id: number;
}

const MIN = 16;
/** Marks a slot whose entry was deleted: lookups probe past it, adds may reuse it. */
const TOMB: Keyed = { id: -1 };

export class CallTable<T extends Keyed> {
  private slots: (T | undefined)[] = new Array(MIN).fill(undefined);
  private mask = MIN - 1;
  private count = 0;
  private tombs = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    const slots = this.slots;
    const mask = this.mask;
    for (let s = id & mask; ; s = (s + 1) & mask) {
      const e = slots[s];
      if (e === undefined || e.id === id) return e;
    }
  }

  /** Adds `e` (its id must not be in the table). */
  add(e: T): void {
    const length = this.slots.length;
    if ((this.count + this.tombs + 1) * 2 > length) {
      // Mostly deleted slots: rebuild at the same size; else grow.
      this.resize((this.count + 1) * 4 <= length ? length : length * 2);
    }
    const slots = this.slots;
    const mask = this.mask;
    let s = e.id & mask;
    for (;;) {
      const x = slots[s];
      if (x === undefined) break;
      if (x === TOMB) {
        this.tombs--;
        break;
      }
      s = (s + 1) & mask;
    }
    slots[s] = e;
    this.count++;
  }

  /** Removes the entry with `e`'s id if it is `e`; true if it was there. */
  delete(e: T): boolean {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = e.id & mask; ; i = (i + 1) & mask) {
      const x = slots[i];
      if (x === undefined) return false;
      if (x === e) {
        slots[i] = TOMB as T;
        this.count--;
        this.tombs++;
        if (this.count * 8 < slots.length && slots.length > MIN) this.resize(slots.length / 2);
        return true;
      }
    }
  }

  /** The entries, copied (the table may change while the caller goes through them). */
  values(): T[] {
    const out: T[] = [];
    for (const e of this.slots) if (e !== undefined && e !== TOMB) out.push(e);
    return out;
  }

  private resize(size: number): void {
    const old = this.slots;
    const slots: (T | undefined)[] = new Array(size).fill(undefined);
    const mask = size - 1;
    for (const e of old) {
      if (e === undefined || e === TOMB) continue;
      let s = e.id & mask;
      while (slots[s] !== undefined) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.slots = slots;
    this.mask = mask;
    this.tombs = 0;
  }
}
