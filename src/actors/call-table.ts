/**
 * @internal The calls in flight by call id: an open-addressing hash table (linear probing, backward-shift
 * deletion) whose hash is the id itself. Call ids count up, so consecutive calls land in consecutive slots;
 * a sequential caller adds and removes one entry per call with no allocation, where a `Map` churns its
 * backing tables (measured: ~3.5× the cost per call). Load is kept at most 1/2 (the table doubles) and at
 * least 1/8 (it halves, down to 16 slots), so iterating over it is proportional to the calls in flight.
 */

/** What the table holds: anything with a non-negative integer `id`. */
export interface Keyed {
  readonly id: number;
}

const MIN = 16;

export class CallTable<T extends Keyed> {
  private slots: (T | undefined)[] = new Array(MIN).fill(undefined);
  private mask = MIN - 1;
  private count = 0;

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
    if ((this.count + 1) * 2 > this.slots.length) this.resize(this.slots.length * 2);
    this.place(e);
    this.count++;
  }

  /** Removes the entry with `e`'s id if it is `e`; true if it was there. */
  delete(e: T): boolean {
    const slots = this.slots;
    const mask = this.mask;
    let i = e.id & mask;
    for (;;) {
      const x = slots[i];
      if (x === undefined) return false;
      if (x === e) break;
      i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the probe run into the hole when their home slot allows it.
    slots[i] = undefined;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const x = slots[j];
      if (x === undefined) break;
      const home = x.id & mask;
      // x may move to i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        slots[i] = x;
        slots[j] = undefined;
        i = j;
      }
    }
    this.count--;
    if (this.count * 8 < this.slots.length && this.slots.length > MIN) this.resize(this.slots.length / 2);
    return true;
  }

  /** The entries, copied (the table may change while the caller goes through them). */
  values(): T[] {
    const out: T[] = [];
    for (const e of this.slots) if (e !== undefined) out.push(e);
    return out;
  }

  private place(e: T): void {
    const slots = this.slots;
    const mask = this.mask;
    let s = e.id & mask;
    while (slots[s] !== undefined) s = (s + 1) & mask;
    slots[s] = e;
  }

  private resize(size: number): void {
    const old = this.slots;
    this.slots = new Array(size).fill(undefined);
    this.mask = size - 1;
    for (const e of old) if (e !== undefined) this.place(e);
  }
}
