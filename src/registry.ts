/**
 * Registered names: `register(name, ref)` is unique per runtime; a name dies with its actor (released before
 * its exit signals go out). An actor holds at most one name, as in Erlang.
 */
import type { Cell } from './cell.js';
import { DEAD } from './cell.js';
import { InvalidOptionError, NameTakenError } from './errors.js';

export class Registry {
  private readonly names = new Map<string, Cell>();

  register(name: string, cell: Cell): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidOptionError(
        `register(name, actor): name must be a non-empty string (got ${String(name)})`,
      );
    }
    const holder = this.names.get(name);
    if (holder !== undefined && holder.state !== DEAD) {
      throw new NameTakenError(name, holder.ref);
    }
    if (cell.name !== undefined) {
      throw new NameTakenError(
        name,
        cell.ref,
        `${cell.ref} is already registered as '${cell.name}'; an actor holds one name: unregister('${cell.name}') first`,
      );
    }
    this.names.set(name, cell);
    cell.name = name;
  }

  /** Removes `name`; false if it was not registered. */
  unregister(name: string): boolean {
    const cell = this.names.get(name);
    if (cell === undefined) return false;
    this.names.delete(name);
    cell.name = undefined;
    return true;
  }

  whereis(name: string): Cell | undefined {
    const cell = this.names.get(name);
    return cell !== undefined && cell.state !== DEAD ? cell : undefined;
  }

  /** Called as `cell` exits. */
  release(cell: Cell): void {
    if (cell.name !== undefined && this.names.get(cell.name) === cell) this.names.delete(cell.name);
    cell.name = undefined;
  }

  /** Every registered name, for the tree view and tests. */
  entries(): IterableIterator<[string, Cell]> {
    return this.names.entries();
  }

  clear(): void {
    this.names.clear();
  }
}
