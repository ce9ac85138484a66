/**
 * A growable ring buffer: O(1) push and shift with no reallocation while it holds steady, which is what
 * the run-queue needs (an array reset with `length = 0` halves message throughput).
 */

const INITIAL = 8;

export class Ring<T> {
  private buf: (T | undefined)[] = new Array(INITIAL);
  private head = 0;
  private mask = INITIAL - 1;
  size = 0;

  push(item: T): void {
    if (this.size > this.mask) this.grow();
    this.buf[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /** Takes the oldest item; the caller checks `size` first. */
  shift(): T {
    const i = this.head;
    const item = this.buf[i] as T;
    this.buf[i] = undefined;
    this.head = (i + 1) & this.mask;
    this.size--;
    return item;
  }

  /** Takes the oldest item `accept` returns true for, leaving the rest in order; undefined if none. */
  take(accept: (item: T) => boolean): T | undefined {
    const { buf, mask, size, head } = this;
    for (let k = 0; k < size; k++) {
      const item = buf[(head + k) & mask] as T;
      if (accept(item)) {
        // Shift the older items one slot towards the tail, then drop the head slot.
        for (let j = k; j > 0; j--) buf[(head + j) & mask] = buf[(head + j - 1) & mask];
        buf[head] = undefined;
        this.head = (head + 1) & mask;
        this.size--;
        return item;
      }
    }
    return undefined;
  }

  /** The queued items, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let k = 0; k < this.size; k++) yield this.buf[(this.head + k) & this.mask] as T;
  }

  private grow(): void {
    const old = this.buf;
    const n = old.length;
    const next: (T | undefined)[] = new Array(n * 2);
    for (let k = 0; k < this.size; k++) next[k] = old[(this.head + k) & this.mask];
    this.buf = next;
    this.head = 0;
    this.mask = n * 2 - 1;
  }
}
