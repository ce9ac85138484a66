/**
 * The `cluster` option of a Runtime: which NATS servers, which cluster, which node this is, how traffic
 * is authenticated, and how fast a lost node is noticed. Checked at once, in `new Runtime(…)`.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { checkKnownOptions, checkOption } from '../core/errors.js';

/**
 * `new Runtime({ cluster: { servers, name, node, secret } })` joins the runtime to a cluster: a set of
 * runtimes (nodes) that reach one another's actors through NATS. See README, "Clusters".
 */
export interface ClusterOptions {
  /** NATS server URL(s), e.g. `'nats://127.0.0.1:4222'` or several for a NATS cluster. */
  servers: string | string[];
  /** The cluster's name (letters, digits, `-`, `_`; up to 32): only nodes of the same cluster talk. */
  name: string;
  /** This node's name, unique in the cluster (letters, digits, `-`, `_`; up to 64), e.g. `'web-1'`. */
  node: string;
  /**
   * The cluster secret (16 or more characters or bytes, the same on every node): every envelope is signed
   * with an HMAC-SHA256 key derived from it, and one without a valid signature is dropped. Required,
   * unless `insecure: true` says plainly that any client of the NATS server may act as any node.
   */
  secret?: string | Uint8Array;
  /** Run without a secret: envelopes are not signed (trusted networks and tests only). */
  insecure?: boolean;
  /** NATS user (the client's `user`), with `pass`. */
  user?: string;
  /** NATS password (the client's `pass`). */
  pass?: string;
  /** NATS token (the client's `token`). */
  token?: string;
  /** NATS TLS options, passed to the client as they are (`{ ca, cert, key }` files, or `{}` to require TLS). */
  tls?: Record<string, unknown>;
  /** A NATS authenticator (nkeys, creds: `credsAuthenticator(…)` from `@nats-io/transport-node`). */
  authenticator?: unknown;
  /** Heartbeat interval in ms (default 500). */
  heartbeat?: number;
  /**
   * A node not heard from for this long (ms) is down: its actors exit `'noconnection'` for everyone
   * linked to or watching them (default 1500, so a lost node is reported within 2 s).
   */
  downAfter?: number;
  /**
   * Actor classes are found on other nodes by their module's path relative to this directory (default:
   * the directory of the package.json nearest the program's main module), so nodes may run the same code
   * from different directories.
   */
  root?: string;
}

/** @internal The checked options. */
export interface ResolvedCluster {
  servers: string[];
  name: string;
  node: string;
  secret: Uint8Array | string | undefined;
  auth: Record<string, unknown>;
  heartbeat: number;
  downAfter: number;
  root: string;
}

const KNOWN = [
  'servers',
  'name',
  'node',
  'secret',
  'insecure',
  'user',
  'pass',
  'token',
  'tls',
  'authenticator',
  'heartbeat',
  'downAfter',
  'root',
];

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const NODE = /^[A-Za-z0-9_-]{1,64}$/;
/** A NATS URL (nats/tls/ws/wss, optional user:pass@) or a bare host:port. */
const SERVER =
  /^(?:(?:nats|tls|ws|wss):\/\/(?:[^@/\s]+@)?)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?\/?$/;

/** @internal Checks the `cluster` option; InvalidOptionError naming what is wrong. */
export function resolveCluster(o: ClusterOptions): ResolvedCluster {
  checkOption(
    typeof o === 'object' && o !== null && !Array.isArray(o),
    'options.cluster',
    "must be an object such as { servers: 'nats://127.0.0.1:4222', name: 'shop', node: 'web-1', secret }",
    o,
  );
  checkKnownOptions(o, 'options.cluster', KNOWN);
  const servers = typeof o.servers === 'string' ? [o.servers] : o.servers;
  checkOption(
    Array.isArray(servers) && servers.length > 0 && servers.every((s) => typeof s === 'string' && s !== ''),
    'options.cluster.servers',
    "must be a NATS server URL or a non-empty array of them, such as 'nats://127.0.0.1:4222'",
    o.servers,
  );
  for (const url of servers) {
    checkOption(
      SERVER.test(url),
      'options.cluster.servers',
      "must hold NATS server URLs: nats://, tls://, ws:// or wss:// and a host (and port), such as 'nats://10.0.0.5:4222', or host:port",
      url,
    );
  }
  checkOption(
    typeof o.name === 'string' && NAME.test(o.name),
    'options.cluster.name',
    'must be 1 to 32 letters, digits, - or _ (the same on every node of the cluster)',
    o.name,
  );
  checkOption(
    typeof o.node === 'string' && NODE.test(o.node),
    'options.cluster.node',
    "must be 1 to 64 letters, digits, - or _, unique in the cluster (such as 'web-1')",
    o.node,
  );
  const secret = o.secret;
  if (secret !== undefined) {
    checkOption(
      (typeof secret === 'string' || secret instanceof Uint8Array) && secret.length >= 16,
      'options.cluster.secret',
      'must be a string or Uint8Array of 16 or more characters or bytes, the same on every node',
      typeof secret === 'string' ? `a string of ${secret.length} characters` : secret,
    );
  }
  checkOption(
    o.insecure === undefined || typeof o.insecure === 'boolean',
    'options.cluster.insecure',
    'must be true or false',
    o.insecure,
  );
  checkOption(
    secret !== undefined || o.insecure === true,
    'options.cluster.secret',
    'is required: envelopes between nodes are signed with it (any string of 16+ characters, the same on ' +
      'every node; keep it out of the source, e.g. process.env.PARLEY_SECRET). To run unsigned on a trusted ' +
      'network or in a test, set insecure: true instead',
    secret,
  );
  checkOption(
    !(secret !== undefined && o.insecure === true),
    'options.cluster.insecure',
    'cannot be true together with a secret: drop one of them',
    o.insecure,
  );
  const heartbeat = o.heartbeat ?? 500;
  checkOption(
    typeof heartbeat === 'number' && Number.isInteger(heartbeat) && heartbeat >= 10 && heartbeat <= 60_000,
    'options.cluster.heartbeat',
    'must be a whole number of ms from 10 to 60000',
    heartbeat,
  );
  const downAfter = o.downAfter ?? 3 * heartbeat;
  checkOption(
    typeof downAfter === 'number' &&
      Number.isInteger(downAfter) &&
      downAfter >= 2 * heartbeat &&
      downAfter <= 600_000,
    'options.cluster.downAfter',
    `must be a whole number of ms, at least twice the heartbeat (${2 * heartbeat}) and at most 600000`,
    downAfter,
  );
  checkOption(
    o.root === undefined || (typeof o.root === 'string' && isAbsolute(o.root) && isDirectory(o.root)),
    'options.cluster.root',
    "must be the absolute path of a directory (the project's root on this node), or left out",
    o.root,
  );
  checkOption(
    (o.user === undefined) === (o.pass === undefined),
    o.user === undefined ? 'options.cluster.pass' : 'options.cluster.user',
    'goes with user/pass: give both, or neither',
    o.user === undefined ? 'a pass without a user' : 'a user without a pass',
  );
  checkOption(
    o.token === undefined || o.user === undefined,
    'options.cluster.token',
    'cannot be combined with user/pass: NATS takes one way of logging in; drop one',
    'a token and a user',
  );
  for (const k of ['user', 'pass', 'token'] as const) {
    checkOption(
      o[k] === undefined || typeof o[k] === 'string',
      `options.cluster.${k}`,
      'must be a string',
      o[k],
    );
  }
  checkOption(
    o.tls === undefined || (typeof o.tls === 'object' && o.tls !== null),
    'options.cluster.tls',
    "must be the NATS client's TLS options object",
    o.tls,
  );
  const auth: Record<string, unknown> = {};
  for (const k of ['user', 'pass', 'token', 'tls', 'authenticator'] as const) {
    if (o[k] !== undefined) auth[k] = o[k];
  }
  return {
    servers,
    name: o.name,
    node: o.node,
    secret,
    auth,
    heartbeat,
    downAfter,
    root: resolve(o.root ?? defaultRoot()),
  };
}

/** The directory of the package.json nearest the main module (else the working directory). */
function defaultRoot(): string {
  const main = process.argv[1];
  let dir = main === undefined ? process.cwd() : dirname(resolve(main));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
