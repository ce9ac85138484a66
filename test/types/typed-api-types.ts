/**
 * Type tests for the typed API of issue 11 (spawn arguments, proxy.with, child specs, whereis by class):
 * compiled by `tsc` in `npm test` (never run). Each `@ts-expect-error` fails the build if the line below it
 * ever type-checks; the other lines fail it if they stop type-checking. The wording of the compiler's
 * messages is checked by test/types/messages.test.ts.
 */
import {
  Actor,
  type ActorProxy,
  type ChildSpec,
  childSpec,
  functionActor,
  handles,
  type Runtime,
  Supervisor,
  spawn,
  spawnLink,
  spawnMonitor,
  spawnWith,
  whereis,
} from '../../src/index.js';

class Account extends Actor {
  constructor(
    private balance: number,
    readonly owner = 'nobody',
  ) {
    super();
  }
  @handles('deposit')
  deposit(amount: number): number {
    this.balance += amount;
    return this.balance;
  }
}

class Room extends Actor {
  @handles('post')
  post(text: string): string {
    return text;
  }
}

const double = functionActor((x: number) => x * 2);

export async function spawnArgs(rt: Runtime): Promise<void> {
  const a: ActorProxy<Account> = spawn(Account, 100);
  const b: ActorProxy<Account> = rt.spawn(Account, 100, 'ann');
  const [c] = spawnMonitor(Account, 1);
  const d: ActorProxy<Account> = spawnWith({ thread: 'own' }, Account, 5);
  const e: ActorProxy<Account> = rt.spawnWith({}, Account, 5, 'bob');
  const f: ActorProxy<Account> = spawnLink(Account, 7);
  const n: number = await c.deposit(1);
  void [a, b, d, e, f, n];

  // @ts-expect-error: Account's balance is a number
  spawn(Account, 'x');
  // @ts-expect-error: Account needs its balance
  spawn(Account);
  // @ts-expect-error: Account takes at most two arguments
  spawn(Account, 1, 'ann', true);
  // @ts-expect-error: the owner is a string
  rt.spawn(Account, 1, 2);
  // @ts-expect-error: spawnLink checks the constructor too
  spawnLink(Account, 'x');
  // @ts-expect-error: spawnMonitor checks the constructor too
  spawnMonitor(Account, 'x');
  // @ts-expect-error: spawnWith checks the constructor too
  spawnWith({}, Account, 'x');
  // @ts-expect-error: runtime.spawnWith checks the constructor too
  rt.spawnWith({}, Account);

  // Function actors: their parameters are the spawn arguments.
  const loop = spawn(async (start: number, label: string) => `${label}${start}`, 1, 'n');
  void loop;
  // @ts-expect-error: a function actor's arguments are checked
  spawn(async (start: number) => start, 'one');
  // @ts-expect-error: and its arity
  rt.spawn(async (start: number) => start);
  // A functionActor takes no spawn arguments; invoke is typed.
  const dbl = spawn(double);
  const m: number = await dbl.invoke(2);
  void m;
  // @ts-expect-error: a functionActor takes no spawn arguments
  spawn(double, 1);
}

export async function perCallOptions(rt: Runtime): Promise<void> {
  const acct = rt.spawn(Account, 100);
  const short = acct.with({ timeout: 100 });
  const n: number = await short.deposit(5);
  const same: ActorProxy<Account> = short;
  const chained: number = await acct.with({ timeout: 100 }).with({}).deposit(1);
  const untyped: unknown = await acct.with({ timeout: Number.POSITIVE_INFINITY }).call('deposit', [1]);
  const inv: number = await spawn(double).with({ timeout: 50 }).invoke(3);
  void [n, same, chained, untyped, inv];

  // @ts-expect-error: with() keeps the parameter types
  short.deposit('5');
  // @ts-expect-error: and the method set
  short.withdraw(5);
  // @ts-expect-error: the result is still a promise of the handler's result
  const wrong: string = await short.deposit(5);
  // @ts-expect-error: only call options
  acct.with({ timout: 100 });
  // @ts-expect-error: a timeout is a number of ms
  acct.with({ timeout: '100' });
  void wrong;
}

export function childSpecs(): void {
  const checked: ChildSpec<typeof Account> = childSpec(Account, {
    id: 'acct',
    args: [100],
    restart: 'permanent',
  });
  const noArgs = childSpec(Room); // no fields needed: id defaults to 'Room'
  const withOwner = childSpec(Account, { args: [1, 'ann'], shutdown: 'brutal_kill', name: 'ann' });
  const literal: ChildSpec = { id: 'x', actor: Account, args: ['not checked in a plain ChildSpec'] };
  const typedLiteral: ChildSpec<typeof Account> = { id: 'y', actor: Account, args: [5] };
  spawn(Supervisor, { children: [checked, noArgs, withOwner, literal, typedLiteral] });

  // @ts-expect-error: a wrong argument type for Account's constructor
  childSpec(Account, { args: ['100'] });
  // @ts-expect-error: too many arguments for Account's constructor
  childSpec(Account, { args: [100, 'ann', 3] });
  // @ts-expect-error: too few: Account needs its balance
  childSpec(Account, { args: [] });
  // @ts-expect-error: args are required when the constructor needs arguments
  childSpec(Account, { id: 'acct' });
  // @ts-expect-error: and so are the fields
  childSpec(Account);
  // @ts-expect-error: Room takes no arguments
  childSpec(Room, { args: [1] });
  // @ts-expect-error: restart is one of the restart types
  childSpec(Room, { restart: 'sometimes' });
  // @ts-expect-error: a typed ChildSpec checks its args too
  const bad: ChildSpec<typeof Account> = { id: 'z', actor: Account, args: ['x'] };
  void bad;
}

export async function typedWhereis(rt: Runtime): Promise<void> {
  const room: ActorProxy<Room> | undefined = await whereis('room', Room);
  const text: string | undefined = await room?.post('hi');
  const viaRuntime: ActorProxy<Room> | undefined = await rt.whereis('room', Room);
  const dbl = await whereis('double', double);
  const d: number | undefined = await dbl?.invoke(2);
  const untyped = await whereis('room'); // an untyped proxy: call, cast, send
  const r: unknown = await untyped?.call('post', ['hi']);
  void [text, viaRuntime, d, r];

  // @ts-expect-error: an untyped proxy has no typed methods
  await untyped?.post('hi');
  // @ts-expect-error: the proxy is typed after the class given
  await room?.post(42);
  // @ts-expect-error: a Room proxy is no Account proxy
  const acct: ActorProxy<Account> | undefined = await whereis('room', Room);
  void acct;
}
