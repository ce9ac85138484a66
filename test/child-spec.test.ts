import { expect } from 'chai';
import { Actor, ChildSpecError, childSpec, functionActor, handles } from '../src/index.js';

class Account extends Actor {
  constructor(readonly balance: number) {
    super();
  }
  @handles('balance')
  getBalance(): number {
    return this.balance;
  }
}

class Room extends Actor {}

describe('childSpec(actor, fields)', () => {
  it('builds a child spec with the actor, its args and fields, the id defaulting to the actor name', () => {
    expect(childSpec(Account, { args: [100], restart: 'transient' })).to.deep.equal({
      id: 'Account',
      actor: Account,
      args: [100],
      restart: 'transient',
    });
    expect(childSpec(Account, { id: 'acct', args: [1], name: 'a' })).to.deep.equal({
      id: 'acct',
      actor: Account,
      args: [1],
      name: 'a',
    });
    expect(childSpec(Room)).to.deep.equal({ id: 'Room', actor: Room });
    const fa = functionActor(function worker() {});
    expect(childSpec(fa).id).to.equal('worker');
  });

  it('throws ChildSpecError at once for a bad field, as a supervisor would at spawn', () => {
    const bad: [() => unknown, RegExp][] = [
      [
        () => childSpec(Room, { restart: 'sometimes' as never }),
        /child spec \('Room'\)\.restart must be one of/,
      ],
      [() => childSpec(Room, { shutdown: -1 }), /\.shutdown must not be negative/],
      [() => childSpec(Room, { args: 'x' as never }), /\.args must be an array/],
      [() => childSpec(Room, { colour: 'red' } as never), /\.colour is not a child spec field/],
      [() => childSpec(Room, { actor: Account } as never), /fields\.actor is not allowed/],
      [() => childSpec(Room, 'fields' as never), /childSpec\(actor, fields\): fields must be an object/],
      [() => childSpec(42 as never), /childSpec\(actor, fields\): actor must be an Actor subclass/],
      [() => childSpec(Map as never), /child spec \('Map'\)\.actor/],
      [() => childSpec(Room, { id: '' }), /child spec\.id must be a non-empty string/],
    ];
    for (const [make, message] of bad) expect(make, String(message)).to.throw(ChildSpecError, message);
  });

  it('requires an id for an actor without a name', () => {
    expect(() => childSpec(() => undefined)).to.throw(ChildSpecError, /fields\.id is required/);
    expect(childSpec(() => undefined, { id: 'anon' }).id).to.equal('anon');
  });
});
