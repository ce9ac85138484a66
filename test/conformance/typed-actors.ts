/**
 * Actors for the typed-API conformance tests (proxy.with, whereis by class, childSpec): importable, at the
 * top level of a module with no side effects, so they can run on worker threads.
 */
import { Actor, handles, type WrongActorClassError, whereis } from '../../src/index.js';

/** A chat room: counts the posts it got. */
export class Room extends Actor {
  private posts = 0;

  @handles('post')
  post(_text: string): number {
    return ++this.posts;
  }
}

/** A Room with more: a subclass is a Room for whereis(name, Room). */
export class VipRoom extends Room {
  @handles('vip')
  vip(): boolean {
    return true;
  }
}

/** Not a Room. */
export class Lobby extends Actor {
  @handles('enter')
  enter(): string {
    return 'entered';
  }
}

/** An account opened with a balance (a constructor argument). */
export class Account extends Actor {
  constructor(private balance: number) {
    super();
  }

  @handles('balance')
  getBalance(): number {
    return this.balance;
  }
}

/** What `whereis(name, Room)` gave, seen from inside an actor (wherever it runs). */
export interface Looked {
  posted?: number;
  missing?: true;
  code?: string;
  expected?: string | undefined;
  actual?: string | undefined;
}

/** Looks a name up as a Room with the functional whereis, and posts to it. */
export class Looker extends Actor {
  @handles('look')
  async look(name: string): Promise<Looked> {
    try {
      const room = await whereis(name, Room);
      return room === undefined ? { missing: true } : { posted: await room.post('hi') };
    } catch (e) {
      const err = e as WrongActorClassError;
      return { code: err.code, expected: err.expected, actual: err.actual };
    }
  }

  /** The same, letting a WrongActorClassError reject the call (the Looker crashes with it). */
  @handles('lookOrCrash')
  async lookOrCrash(name: string): Promise<number | undefined> {
    return (await whereis(name, Room))?.post('hi');
  }
}
