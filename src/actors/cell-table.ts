/**
 * The actors that live on this thread, by id. Ids this thread hands out are consecutive, so they index a
 * chunked array (8 bytes an actor, against ~53 for a Map entry at a million actors; a chunk whose actors
 * have all exited is dropped); ids another thread handed out (actors it spawned here) go in a Map.
 */
import type { Cell } from './cell.js';

/** Ids a chunk covers. */
const CHUNK = 1024;
/** How many ids one thread can hand out (ids carry the thread in their high part). */
const SPACE = 2 ** 32;

export class CellTable {
  private readonly chunks: ((Cell | undefined)[] | undefined)[] = [];
  /** Live actors per chunk. */
  private readonly live: number[] = [];
  /** The chunk ids are handed out from now (kept even when empty: the next spawn would need it again). */
  private top = 0;
  private readonly foreign = new Map<number, Cell>();
  /** Live actors. */
  size = 0;

  /** `base`: the first id of this thread's id space. */
  constructor(private readonly base: number) {}

  get(id: number): Cell | undefined {
    const n = id - this.base;
    if (n >= 0 && n < SPACE) return this.chunks[Math.floor(n / CHUNK)]?.[n % CHUNK];
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
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) this.chunks.push(undefined); // keep the array dense (fast elements)
      this.chunks[c] = chunk = new Array(CHUNK);
      this.live[c] = 0;
      if (c > this.top) {
        // The chunk ids were handed out from until now is full: if its actors have all exited already (a
        // spawn-and-exit churn empties each chunk while it is still the top), nothing else drops it.
        const old = this.top;
        this.top = c;
        if (this.live[old] === 0) this.chunks[old] = undefined;
      }
    }
    if (chunk[n % CHUNK] === undefined) {
      this.live[c]!++;
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
    const chunk = this.chunks[c];
    if (chunk === undefined || chunk[n % CHUNK] === undefined) return;
    chunk[n % CHUNK] = undefined;
    this.size--;
    if (--this.live[c]! === 0 && c !== this.top) this.chunks[c] = undefined;
  }

  /** Chunks kept though none of their actors is alive, the current one aside (for leak checks: 0). */
  get emptyChunks(): number {
    let n = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      if (c !== this.top && this.chunks[c] !== undefined && this.live[c] === 0) n++;
    }
    return n;
  }

  /** The live actors: this thread's in spawn order, then the ones other threads spawned here. */
  *values(): IterableIterator<Cell> {
    for (const chunk of this.chunks) {
      if (chunk === undefined) continue;
      for (const cell of chunk) if (cell !== undefined) yield cell;
    }
    yield* this.foreign.values();
  }
}
