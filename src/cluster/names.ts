/**
 * The cluster-wide registry of Parley names, on a NATS KV bucket `parley_<cluster>_names` (history 1).
 *
 * Standalone: it takes a connected NatsConnection and membership's view of which node incarnations are
 * alive; the runtime wires it in. Writes are compare-and-set (create = put-if-absent, update/delete with
 * the revision read), so at most one claim of a name wins however many nodes race. Lookups are
 * synchronous, from a local cache fed by a watch of the whole bucket; the cache is rebuilt from a fresh
 * snapshot after every reconnect of the connection.
 *
 * Keys: a name is any non-empty, well-formed JS string of at most {@link MAX_NAME_BYTES} bytes of UTF-8;
 * its key is the base64url of its UTF-8 (a single token of the KV key charset). Values: JSON
 * `{owner, ref, token}`, read as untrusted (a value of another shape counts as absent).
 *
 * @internal
 */

import { randomBytes } from 'node:crypto';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import { ClusterNamesUnavailableError, InvalidArgumentError } from '../core/errors.js';

/** @internal Longest name, in bytes of UTF-8 (its key is then 1366 characters, well under NATS's 4 KiB control line). */
export const MAX_NAME_BYTES = 1024;
/** @internal Largest value claim writes; a bigger one read from the bucket counts as a bad value. */
export const MAX_VALUE_BYTES = 256 * 1024;
/** Claim and release attempts against concurrent writers before giving up (each conflict means another writer progressed). */
const MAX_ATTEMPTS = 16;
/** Deletes releaseOwner keeps in flight. */
const RELEASE_CONCURRENCY = 64;

/**
 * @internal What a name maps to: opaque, JSON-safe data the runtime gives (an encoded ref); `owner` is the
 * NodeKey `${node}~${incarnation}` that claimed it.
 */
export interface NameEntry {
  owner: string;
  ref: unknown;
}

/** @internal Options of {@link ClusterNames.open}. */
export interface ClusterNamesOptions {
  /** The cluster's name: the bucket is `parley_<cluster>_names`. */
  cluster: string;
  /** This node's NodeKey `${node}~${incarnation}`. */
  self: string;
  /**
   * Membership's view: is that node incarnation alive? A name whose owner is not alive is treated as absent
   * and may be taken over, so answer false only for an incarnation known to be dead (not for one membership
   * has not heard of yet). `self` always counts as alive.
   */
  isAlive(owner: string): boolean;
  /** Every KV operation settles within this many ms (default 2000), also while the broker is down. */
  timeoutMs?: number;
  /** Told about ignored bad keys/values in the bucket and watch restarts. */
  debug?(msg: string): void;
}

/**
 * @internal The registry is unreachable (broker down, or no answer within `timeoutMs`), or too many
 * concurrent writers kept winning. The outcome of a claim that rejects with it may be unknown: claiming
 * again with the same ref is idempotent.
 */
export { ClusterNamesUnavailableError };

/** A decoded, validated value. */
interface Stored {
  owner: string;
  ref: unknown;
  token: string;
  /** JSON of `ref`, to compare refs. */
  refJson: string;
}

/** A cache slot: the last revision seen of a key, and its entry (undefined when deleted or bad). */
interface Slot {
  rev: number;
  entry: Stored | undefined;
}

type Attempt = { kind: 'ok'; rev: number } | { kind: 'conflict' } | { kind: 'unknown'; err: unknown };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** @internal Validates `name` and returns its KV key; throws InvalidArgumentError for a name that can't be one. */
export function nameToKey(name: string, fn = 'name'): string {
  checkName(name, fn);
  return Buffer.from(name, 'utf8').toString('base64url');
}

/** Throws InvalidArgumentError for a name that can't be a cluster name. */
function checkName(name: string, fn: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`${fn}: a cluster name must be a non-empty string, not ${describe(name)}`);
  }
  if (/\p{Cs}/u.test(name)) {
    throw new InvalidArgumentError(
      `${fn}: the name contains a lone UTF-16 surrogate, which has no UTF-8 form; use well-formed Unicode`,
    );
  }
  if (name.length * 3 > MAX_NAME_BYTES) {
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > MAX_NAME_BYTES) {
      throw new InvalidArgumentError(
        `${fn}: the name is ${bytes} bytes of UTF-8; cluster names are at most ${MAX_NAME_BYTES} bytes, use a shorter name`,
      );
    }
  }
}

/** @internal The name of a KV key, or undefined for a key no name encodes to. */
export function keyToName(key: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return undefined;
  const bytes = Buffer.from(key, 'base64url');
  if (bytes.length === 0 || bytes.length > MAX_NAME_BYTES || bytes.toString('base64url') !== key)
    return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? 'an empty string' : v === null ? 'null' : typeof v;
}

/** JSON of a ref, or InvalidArgumentError when it has none. */
function refToJson(ref: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(ref);
  } catch (err) {
    throw new InvalidArgumentError(`claim: the ref must be JSON-safe data (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (json === undefined)
    throw new InvalidArgumentError(`claim: the ref must be JSON-safe data, not ${typeof ref}`);
  return json;
}

/** A value from the bucket, validated; a string saying what's wrong with a bad one. */
function decodeValue(data: Uint8Array): Stored | string {
  if (data.length > MAX_VALUE_BYTES) return `value of ${data.length} bytes`;
  let v: unknown;
  try {
    v = JSON.parse(utf8.decode(data));
  } catch {
    return 'value is not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'value is not an object';
  const o = v as Record<string, unknown>;
  if (typeof o.owner !== 'string' || o.owner === '') return 'value has no owner';
  if (typeof o.token !== 'string') return 'value has no token';
  if (!Object.hasOwn(o, 'ref')) return 'value has no ref';
  return { owner: o.owner, ref: o.ref, token: o.token, refJson: JSON.stringify(o.ref) };
}

function isWrongLastSequence(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 10071 || code === 10164;
}

/**
 * @internal The cluster-wide name registry of one node: claims, releases and looks names up in the
 * bucket `parley_<cluster>_names`.
 */
export class ClusterNames {
  private readonly self: string;
  private readonly isAlive: (owner: string) => boolean;
  private readonly timeoutMs: number;
  private readonly debug: (msg: string) => void;
  /** The cache lookups read: name -> last revision seen. */
  private cache = new Map<string, Slot>();
  /** The cache a restarted watch is filling, swapped in when its snapshot is complete. */
  private loading: Map<string, Slot> | undefined;
  private watchGen = 0;
  /** Stops the current watch (or the one starting), failing its start if still pending. */
  private watchStop: (() => void) | undefined;
  private connected = true;
  private closed = false;
  private readonly connectWaiters = new Set<() => void>();
  private readonly statusIter: AsyncIterable<Status>;
  private restarting: Promise<void> | undefined;
  private restartWanted = false;

  private constructor(
    nc: NatsConnection,
    private readonly kv: KV,
    o: ClusterNamesOptions,
  ) {
    this.self = o.self;
    this.isAlive = o.isAlive;
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.debug = o.debug ?? (() => {});
    this.statusIter = nc.status();
  }

  /**
   * Opens (creating if absent, history 1) the bucket of `o.cluster` and starts the watch that feeds the
   * cache; resolves once the cache holds the bucket's current contents.
   */
  static async open(nc: NatsConnection, o: ClusterNamesOptions): Promise<ClusterNames> {
    if (typeof o.cluster !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(o.cluster)) {
      throw new InvalidArgumentError(
        `ClusterNames.open: cluster must match [A-Za-z0-9_-]{1,32}, not '${o.cluster}'`,
      );
    }
    if (typeof o.self !== 'string' || o.self === '') {
      throw new InvalidArgumentError('ClusterNames.open: self must be a non-empty NodeKey');
    }
    const timeoutMs = o.timeoutMs ?? 2000;
    if (!(timeoutMs > 0))
      throw new InvalidArgumentError('ClusterNames.open: timeoutMs must be a positive number');
    const kv = await withDeadline(
      new Kvm(nc).create(`parley_${o.cluster}_names`, { history: 1 }),
      Date.now() + timeoutMs,
      'opening the names bucket',
    ).catch((err) => {
      throw unavailable(err, 'opening the names bucket');
    });
    const names = new ClusterNames(nc, kv, o);
    names.followStatus();
    try {
      await names.startWatch(Date.now() + Math.max(timeoutMs, 10_000));
    } catch (err) {
      await names.close();
      throw err;
    }
    return names;
  }

  /**
   * Claims `name` for `ref`: `{ok: true}`, or the entry of the live holder. A name held by an owner that
   * is not alive, or holding a bad value, is taken over (CAS on its revision). Claiming a name this node
   * already holds for the same ref is ok (idempotent); for another ref it is taken. When a write's
   * outcome is unknown (timeout), the claim reads the name back and decides by its claim token.
   */
  async claim(name: string, ref: unknown): Promise<{ ok: true } | { ok: false; holder: NameEntry }> {
    const key = nameToKey(name, 'claim');
    const refJson = refToJson(ref);
    const token = randomBytes(9).toString('base64url');
    const value = `{"owner":${JSON.stringify(this.self)},"ref":${refJson},"token":${JSON.stringify(token)}}`;
    if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      throw new InvalidArgumentError(
        `claim '${name}': the ref's JSON is ${Buffer.byteLength(refJson, 'utf8')} bytes; a registry entry is at most ${MAX_VALUE_BYTES} bytes`,
      );
    }
    const mine: Stored = { owner: this.self, ref: JSON.parse(refJson), token, refJson };
    let deadline = Date.now() + this.timeoutMs;
    let step: 'create' | 'read' = 'create';
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      if (step === 'create') {
        const r = await this.attempt(() => this.kv.create(key, value), deadline, `claim '${name}'`);
        if (r.kind === 'ok') return this.won(name, r.rev, mine);
        step = 'read';
        if (r.kind === 'unknown') deadline = this.readBackDeadline(deadline, r.err, `claim '${name}'`);
        continue;
      }
      const e = await this.op(() => this.kv.get(key), deadline, `claim '${name}'`);
      if (e === null || e.operation !== 'PUT') {
        step = 'create';
        continue;
      }
      const held = this.decode(name, e);
      if (held !== undefined) {
        if (held.token === token || (held.owner === this.self && held.refJson === refJson)) {
          return this.won(name, e.revision, held);
        }
        this.seen(name, e.revision, held);
        if (this.alive(held.owner)) return { ok: false, holder: { owner: held.owner, ref: held.ref } };
      }
      const r = await this.attempt(() => this.kv.update(key, value, e.revision), deadline, `claim '${name}'`);
      if (r.kind === 'ok') return this.won(name, r.rev, mine);
      if (r.kind === 'unknown') deadline = this.readBackDeadline(deadline, r.err, `claim '${name}'`);
    }
    throw new ClusterNamesUnavailableError(
      `claim '${name}': ${MAX_ATTEMPTS} attempts lost to concurrent writers of the name; try again`,
    );
  }

  /**
   * Releases `name` if this node holds it (for `ref`, when given: same JSON) with a CAS delete on the
   * revision held (the cache's, else one read); false if the name is not ours (then it is left alone).
   */
  async release(name: string, ref?: unknown): Promise<boolean> {
    const key = nameToKey(name, 'release');
    const refJson = ref === undefined ? undefined : refToJson(ref);
    let deadline = Date.now() + this.timeoutMs;
    let unknown = false;
    const ours = (v: Stored | undefined): v is Stored =>
      v !== undefined && v.owner === this.self && (refJson === undefined || v.refJson === refJson);
    // The revision we hold, from the cache (our claim recorded it); else read from the bucket.
    const cached = this.cache.get(name);
    let rev = ours(cached?.entry) ? cached.rev : undefined;
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      if (rev === undefined) {
        const e = await this.op(() => this.kv.get(key), deadline, `release '${name}'`);
        // After a delete of unknown outcome, gone means ours went (or someone freed it): released either way.
        if (e === null || e.operation !== 'PUT') return unknown;
        if (!ours(this.decode(name, e))) return false;
        rev = e.revision;
      }
      const held = rev;
      const r = await this.attempt(
        () => this.kv.delete(key, { previousSeq: held }).then(() => 0),
        deadline,
        `release '${name}'`,
      );
      if (r.kind === 'ok') {
        this.seen(name, held, undefined);
        return true;
      }
      if (r.kind === 'unknown') {
        unknown = true;
        deadline = this.readBackDeadline(deadline, r.err, `release '${name}'`);
      }
      rev = undefined; // conflict or unknown: read the name back
    }
    throw new ClusterNamesUnavailableError(
      `release '${name}': ${MAX_ATTEMPTS} attempts lost to concurrent writers of the name; try again`,
    );
  }

  /**
   * The entry of `name` in the cache (no round trip); undefined when absent, bad, or held by a dead owner.
   * Throws InvalidArgumentError for a name that can't be a cluster name (as claim does).
   */
  lookup(name: string): NameEntry | undefined {
    checkName(name, 'lookup');
    const e = this.cache.get(name)?.entry;
    return e === undefined || !this.alive(e.owner) ? undefined : { owner: e.owner, ref: e.ref };
  }

  /**
   * Frees every name the cache shows held by `owner` (a dead node), each by a CAS delete on the revision
   * seen, so that of survivors racing, each name is freed once (a conflict means another did it or the
   * name changed). Resolves to how many this call freed; rejects with ClusterNamesUnavailableError when
   * some could not be tried (those it freed stay freed: call again). Does not consult isAlive.
   */
  async releaseOwner(owner: string): Promise<number> {
    const todo = [...this.cache].filter(([, s]) => s.entry?.owner === owner);
    let freed = 0;
    let failure: unknown;
    let next = 0;
    const worker = async () => {
      while (next < todo.length && failure === undefined) {
        const [name, slot] = todo[next++]!;
        const r = await this.attempt(
          () => this.kv.delete(nameToKey(name), { previousSeq: slot.rev }).then(() => 0),
          Date.now() + this.timeoutMs,
          `releaseOwner '${owner}'`,
        );
        if (r.kind === 'ok') {
          freed++;
          this.seen(name, slot.rev, undefined);
        } else if (r.kind === 'unknown') failure ??= r.err; // the broker is away: stop, the caller retries
      }
    };
    await Promise.all(Array.from({ length: Math.min(RELEASE_CONCURRENCY, todo.length) }, worker));
    if (failure !== undefined) {
      throw new ClusterNamesUnavailableError(
        `releaseOwner '${owner}': freed ${freed} of ${todo.length} names, then the registry stopped answering ` +
          `(${(failure as Error).message}); call again`,
        { cause: failure },
      );
    }
    return freed;
  }

  /** Names the cache shows this node holding (for shutdown). */
  held(): string[] {
    const names: string[] = [];
    for (const [name, s] of this.cache) if (s.entry?.owner === this.self) names.push(name);
    return names;
  }

  /** Stops the watch; the connection stays open (it is the caller's). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchGen++;
    this.watchStop?.();
    this.watchStop = undefined;
    (this.statusIter as { stop?(): void }).stop?.();
    for (const w of this.connectWaiters) w();
    await this.restarting;
  }

  // ---- internals

  private alive(owner: string): boolean {
    return owner === this.self || this.isAlive(owner);
  }

  /**
   * `lookup` from the bucket itself (a round trip): what another node registered just now, before the watch
   * has brought it. Updates the cache; falls back to it if the bucket does not answer in time.
   */
  async fetch(name: string): Promise<NameEntry | undefined> {
    checkName(name, 'fetch');
    try {
      const e = await this.op(
        () => this.kv.get(nameToKey(name)),
        Date.now() + this.timeoutMs,
        `fetch '${name}'`,
      );
      if (e !== null && e !== undefined) {
        const deleted = e.operation === 'DEL' || e.operation === 'PURGE';
        this.seen(name, e.revision, deleted ? undefined : this.decode(name, e));
      }
    } catch (err) {
      this.debug(`names: fetch of '${name}' failed, using the cache: ${err}`);
    }
    return this.lookup(name);
  }

  private decode(name: string, e: KvEntry): Stored | undefined {
    const v = decodeValue(e.value);
    if (typeof v === 'string') {
      this.debug(`names: ignoring the bad value of '${name}' (revision ${e.revision}): ${v}`);
      return undefined;
    }
    return v;
  }

  private won(name: string, rev: number, entry: Stored): { ok: true } {
    this.seen(name, rev, entry);
    return { ok: true };
  }

  /** Records what a read or write of ours saw, in the cache(s), unless the watch already told newer. */
  private seen(name: string, rev: number, entry: Stored | undefined): void {
    for (const m of [this.cache, this.loading]) {
      if (m === undefined) continue;
      const s = m.get(name);
      if (s === undefined || rev > s.rev || (rev === s.rev && entry === undefined))
        m.set(name, { rev, entry });
    }
  }

  /**
   * After a write of unknown outcome: the deadline for reading it back. The budget left, or a fresh one
   * while the connection is up; with the broker down and no budget left, the caller rejects.
   */
  private readBackDeadline(deadline: number, err: unknown, what: string): number {
    this.debug(`names: ${what}: outcome unknown (${(err as Error).message}); reading it back`);
    if (Date.now() < deadline - 10) return deadline;
    if (!this.connected || this.closed) {
      throw new ClusterNamesUnavailableError(
        `${what}: the registry did not answer in ${this.timeoutMs} ms and the connection to NATS is down; ` +
          'the write may still land (claiming again with the same ref is idempotent)',
        { cause: err },
      );
    }
    return Date.now() + this.timeoutMs;
  }

  /** A conditional write: ok with its revision, a CAS conflict, or an unknown outcome (timeout, connection). */
  private async attempt(write: () => Promise<number>, deadline: number, what: string): Promise<Attempt> {
    try {
      return { kind: 'ok', rev: await this.op(write, deadline, what) };
    } catch (err) {
      if (isWrongLastSequence(err)) return { kind: 'conflict' };
      if (err instanceof ClusterNamesUnavailableError) return { kind: 'unknown', err };
      // Any other answer from the server is a known failure (the write was refused).
      throw err;
    }
  }

  /** Runs a KV call once the connection is up, settling by `deadline` (ClusterNamesUnavailableError). */
  private async op<T>(call: () => Promise<T>, deadline: number, what: string): Promise<T> {
    if (this.closed) throw new ClusterNamesUnavailableError(`${what}: the registry is closed`);
    if (!this.connected) await this.waitConnected(deadline);
    if (!this.connected) {
      throw new ClusterNamesUnavailableError(
        `${what}: the connection to NATS is down (no reconnect within ${this.timeoutMs} ms); try again later`,
      );
    }
    try {
      return await withDeadline(call(), deadline, what);
    } catch (err) {
      throw unavailable(err, what);
    }
  }

  /** Waits until the connection is back (or closes), at most until `deadline`. */
  private waitConnected(deadline: number): Promise<void> {
    return this.sleep(Math.max(0, deadline - Date.now()));
  }

  private followStatus(): void {
    void (async () => {
      for await (const s of this.statusIter) {
        if (this.closed) break;
        if (s.type === 'disconnect') this.connected = false;
        else if (s.type === 'reconnect') {
          this.connected = true;
          for (const w of [...this.connectWaiters]) w();
          this.debug('names: reconnected, restarting the watch');
          this.restartWatch();
        } else if (s.type === 'close') {
          this.connected = false;
          for (const w of [...this.connectWaiters]) w();
        }
      }
    })().catch((err) => this.debug(`names: status loop ended: ${(err as Error).message}`));
  }

  /** Restarts the watch until it starts (retrying with backoff); the old cache serves until then. */
  private restartWatch(): void {
    this.watchGen++;
    this.watchStop?.();
    this.watchStop = undefined;
    this.restartWanted = true;
    if (this.restarting !== undefined) return; // the running loop starts another
    this.restarting = (async () => {
      let failures = 0;
      while (this.restartWanted && !this.closed) {
        this.restartWanted = false;
        try {
          await this.startWatch(Date.now() + Math.max(this.timeoutMs, 10_000));
          failures = 0;
        } catch (err) {
          if (this.restartWanted || this.closed) continue;
          this.debug(`names: watch restart failed (${(err as Error).message}); retrying`);
          await this.sleep(Math.min(2000, 100 * 2 ** failures++));
          this.restartWanted = true;
        }
      }
      this.restarting = undefined; // synchronously after the loop's last check: no restart request is lost
    })();
  }

  /** Waits `ms`, or less when the registry closes. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.connectWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.connectWaiters.add(done);
    });
  }

  /**
   * Starts a watch of the whole bucket that fills a fresh cache; resolves when that holds the bucket's
   * contents (then it replaces the cache lookups read). Later events update it.
   */
  private async startWatch(deadline: number): Promise<void> {
    const gen = ++this.watchGen;
    const fresh = new Map<string, Slot>();
    this.loading = fresh;
    let ready!: () => void;
    let fail!: (err: unknown) => void;
    const isReady = new Promise<void>((res, rej) => {
      ready = res;
      fail = rej;
    });
    isReady.catch(() => {}); // a failure after this start gave up must not be an unhandled rejection
    let done = false;
    const finish = () => {
      if (done || gen !== this.watchGen) return;
      done = true;
      // Writes of ours that the snapshot predates were recorded in both maps by seen().
      this.cache = fresh;
      if (this.loading === fresh) this.loading = undefined;
      ready();
    };
    this.watchStop = () =>
      fail(new ClusterNamesUnavailableError('the names watch was stopped while starting'));
    const starting = this.kv.watch({ key: '>' });
    const iter = await withDeadline(starting, deadline, 'starting the names watch').catch((err) => {
      starting.then(
        (late) => late.stop(),
        () => {},
      );
      throw unavailable(err, 'starting the names watch');
    });
    if (gen !== this.watchGen || this.closed) {
      iter.stop();
      throw new ClusterNamesUnavailableError('the names watch was superseded while starting');
    }
    this.watchStop = () => {
      iter.stop();
      fail(new ClusterNamesUnavailableError('the names watch was stopped while starting'));
    };
    void (async () => {
      for await (const e of iter) {
        if (gen !== this.watchGen) break;
        this.apply(fresh, e);
        if (e.isUpdate) finish();
      }
      if (gen === this.watchGen && !this.closed) {
        this.debug('names: the watch ended; restarting it');
        this.restartWatch();
      }
    })().catch((err) => {
      fail(err);
      if (gen === this.watchGen && !this.closed) this.restartWatch();
    });
    // An empty bucket delivers nothing: the snapshot is then complete at once. (Its message count can't
    // drop between the watch's start and this: history 1 replaces, deletes add markers.)
    try {
      const status = await withDeadline(this.kv.status(), deadline, 'reading the names bucket status');
      if (status.values === 0) finish();
    } catch (err) {
      if (gen === this.watchGen) iter.stop();
      throw unavailable(err, 'reading the names bucket status');
    }
    const timer = setTimeout(
      () => fail(new ClusterNamesUnavailableError('the names watch did not deliver the bucket in time')),
      Math.max(0, deadline - Date.now()),
    );
    try {
      await isReady;
    } catch (err) {
      if (gen === this.watchGen) iter.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private apply(into: Map<string, Slot>, e: KvEntry): void {
    const name = keyToName(e.key);
    if (name === undefined) {
      this.debug(`names: ignoring key '${e.key}', which no name encodes to`);
      return;
    }
    const entry = e.operation === 'PUT' ? this.decode(name, e) : undefined;
    const maps = into === this.cache ? [into] : [into, this.cache];
    for (const m of maps) {
      const s = m.get(name);
      if (s === undefined || e.revision > s.rev) m.set(name, { rev: e.revision, entry });
    }
  }
}

/** Connection-level failures (no answer, no responders, connection closed) become ClusterNamesUnavailableError. */
const CONNECTION_ERRORS = new Set([
  'TimeoutError',
  'NoRespondersError',
  'RequestError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
]);

function unavailable(err: unknown, what: string): unknown {
  if (
    err instanceof ClusterNamesUnavailableError ||
    !(err instanceof Error) ||
    !CONNECTION_ERRORS.has(err.name)
  ) {
    return err;
  }
  return new ClusterNamesUnavailableError(
    `${what}: the NATS registry is unreachable (${err.message}); try again`,
    {
      cause: err,
    },
  );
}

/** `p`, or ClusterNamesUnavailableError at `deadline` (p's late outcome is then ignored). */
function withDeadline<T>(p: Promise<T>, deadline: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new ClusterNamesUnavailableError(
            `${what}: no answer from the NATS registry in time; is the broker up?`,
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
