/**
 * The actors that live on this thread, by id. Ids this thread hands out are consecutive, so they index
 * chunks of 1024 slots (8 bytes an actor, against ~53 for a Map entry at a million actors); a chunk whose
 * actors have all exited is dropped. The chunks sit in a window (a dense array from chunk `lo` to the newest)
 * that slides forward when it is mostly holes, so that a program that spawns and ends actors forever keeps a
 * table the size of what is alive, not of what ever lived: chunks the window leaves behind that still hold
 * live (long-lived) actors move to a Map. Ids another thread handed out (actors it spawned here) go in a Map.
 */
import type { Cell } from './cell.js';

/** Ids a chunk covers. */
const CHUNK = 1024;
/** How many ids one thread can hand out (ids carry the thread in their high part). */
const SPACE = 2 ** 32;
/** A window at least this long slides once more than half of it is holes. */
const SLIDE_AT = 64;

type Chunk = (Cell | undefined)[];

export class CellTable {
  /** Chunks `lo`, `lo + 1`, … up to the newest (undefined: dropped, a hole). */
  private readonly chunks: (Chunk | undefined)[] = [];
  /** Live actors per chunk of the window. */
  private readonly live: number[] = [];
  /** The chunk number of `chunks[0]`. */
  private lo = 0;
  /** Holes in the window. */
  private holes = 0;
  /** Chunks below the window that still hold live actors, in chunk order, with their live counts. */
  private readonly old = new Map<number, { cells: Chunk; live: number }>();
  /** The chunk ids are handed out from now (kept even when empty: the next spawn would need it again). */
  private top = 0;
  private readonly foreign = new Map<number, Cell>();
  /** Live actors. */
  size = 0;

  /** `base`: the first id of this thread's id space. */
  constructor(private readonly base: number) {}

  get(id: number): Cell | undefined {
    const n = id - this.base;
    if (n >= 0 && n < SPACE) {
      const c = Math.floor(n / CHUNK);
      const i = c - this.lo;
      const chunk = i >= 0 ? this.chunks[i] : this.old.get(c)?.cells;
      return chunk === undefined ? undefined : chunk[n % CHUNK];
    }
    return this.foreign.get(id);
  }

  set(id: number, cell: Cell): void {
    const n = id - this.base;
    if (n < 0 || n >= SPACE) {
      if (!this.foreign.has(id)) this.size++;
      this.foreign.set(id, cell);
      return;
    }
    const c = Math.floor(n / CHUNK);
    let i = c - this.lo;
    if (i < 0) return this.setOld(c, n % CHUNK, cell);
    let chunk = this.chunks[i];
    if (chunk === undefined) {
      if (i < this.chunks.length) this.holes--;
      // Keep the arrays dense (fast elements): chunks skipped over are holes.
      while (this.chunks.length < i) {
        this.chunks.push(undefined);
        this.live.push(0);
        this.holes++;
      }
      this.chunks[i] = chunk = new Array(CHUNK);
      this.live[i] = 0;
      if (c > this.top) {
        // The chunk ids were handed out from until now is done with: if its actors have all exited already
        // (a spawn-and-exit churn empties each chunk while it is still the newest), it goes now.
        const prev = this.top - this.lo;
        this.top = c;
        if (prev >= 0 && this.chunks[prev] !== undefined && this.live[prev] === 0) {
          this.chunks[prev] = undefined;
          this.holes++;
        }
        if (this.chunks.length >= SLIDE_AT && this.holes * 2 > this.chunks.length) {
          this.slide();
          i = c - this.lo;
        }
      }
    }
    if (chunk[n % CHUNK] === undefined) {
      this.live[i]!++;
      this.size++;
    }
    chunk[n % CHUNK] = cell;
  }

  delete(id: number): void {
    const n = id - this.base;
    if (n < 0 || n >= SPACE) {
      if (this.foreign.delete(id)) this.size--;
      return;
    }
    const c = Math.floor(n / CHUNK);
    const i = c - this.lo;
    if (i < 0) {
      const o = this.old.get(c);
      if (o === undefined || o.cells[n % CHUNK] === undefined) return;
      o.cells[n % CHUNK] = undefined;
      this.size--;
      if (--o.live === 0) this.old.delete(c);
      return;
    }
    const chunk = this.chunks[i];
    if (chunk === undefined || chunk[n % CHUNK] === undefined) return;
    chunk[n % CHUNK] = undefined;
    this.size--;
    if (--this.live[i]! === 0 && c !== this.top) {
      this.chunks[i] = undefined;
      this.holes++;
    }
  }

  /** Chunks kept though none of their actors is alive, the current one aside (for leak checks: 0). */
  get emptyChunks(): number {
    let n = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      if (this.lo + i !== this.top && this.chunks[i] !== undefined && this.live[i] === 0) n++;
    }
    for (const o of this.old.values()) if (o.live === 0) n++;
    return n;
  }

  /** Chunk slots held (the window's and the old chunks'): bounded by what is alive, not by spawns. */
  get slots(): number {
    return this.chunks.length + this.old.size;
  }

  /** The live actors: this thread's in spawn order, then the ones other threads spawned here. */
  *values(): IterableIterator<Cell> {
    for (const o of this.old.values()) for (const cell of o.cells) if (cell !== undefined) yield cell;
    for (const chunk of this.chunks) {
      if (chunk === undefined) continue;
      for (const cell of chunk) if (cell !== undefined) yield cell;
    }
    yield* this.foreign.values();
  }

  /** The window starts again at the newest chunk; the chunks it leaves that hold live actors go to `old`. */
  private slide(): void {
    const top = this.top - this.lo;
    for (let i = 0; i < top; i++) {
      const chunk = this.chunks[i];
      if (chunk !== undefined) this.old.set(this.lo + i, { cells: chunk, live: this.live[i]! });
    }
    this.chunks.splice(0, top);
    this.live.splice(0, top);
    this.lo = this.top;
    this.holes = 0;
    for (const chunk of this.chunks) if (chunk === undefined) this.holes++;
  }

  /** An id below the window (set again while it lives: its chunk is in `old`). */
  private setOld(c: number, slot: number, cell: Cell): void {
    let o = this.old.get(c);
    if (o === undefined) this.old.set(c, (o = { cells: new Array(CHUNK), live: 0 }));
    if (o.cells[slot] === undefined) {
      o.live++;
      this.size++;
    }
    o.cells[slot] = cell;
  }
}
