/**
 * Test harness: starts its own `nats-server` processes (the binary from PATH, or /usr/sbin where Debian
 * puts it) on free ports, with JetStream in a temporary store, and stops them. Tests never use a server
 * they did not start.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where nats-server is, or undefined when this machine has none (cluster tests then fail, saying how to get it). */
export function natsServerBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/bin', '/usr/bin'])) {
    const p = join(dir, 'nats-server');
    if (dir !== '' && existsSync(p)) return p;
  }
  return undefined;
}

export interface NatsServerOptions {
  /** Require this user and password of every client. */
  user?: string;
  password?: string;
  /** Require this token. */
  token?: string;
  /** Lower the server's max_pending for a client (bytes), to provoke slow-consumer cut-offs. */
  maxPending?: number;
  /** Write deadline (e.g. '1s'), with maxPending. */
  writeDeadline?: string;
  /** Max payload in bytes (default the server's 1 MiB). */
  maxPayload?: number;
  /** Keep the port of an earlier server (restart). */
  port?: number;
  /** Reuse a JetStream store directory (restart keeps KV contents). */
  storeDir?: string;
}

export class NatsServer {
  private proc: ChildProcess | undefined;
  port = 0;
  readonly storeDir: string;
  private readonly dir: string;
  private stopped: Promise<void> | undefined;

  private constructor(private readonly options: NatsServerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'parley-nats-'));
    this.storeDir = options.storeDir ?? join(this.dir, 'js');
  }

  /** Starts a server and resolves when it accepts clients. */
  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const s = new NatsServer(options);
    await s.launch(options.port ?? -1);
    return s;
  }

  /** `nats://127.0.0.1:<port>` */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private async launch(port: number): Promise<void> {
    const bin = natsServerBinary();
    if (bin === undefined) {
      throw new Error(
        'nats-server is not installed: run `sudo apt-get install -y nats-server` (or .ci/run, which does)',
      );
    }
    const o = this.options;
    const conf: string[] = [];
    if (o.maxPending !== undefined) conf.push(`max_pending: ${o.maxPending}`);
    if (o.writeDeadline !== undefined) conf.push(`write_deadline: "${o.writeDeadline}"`);
    if (o.maxPayload !== undefined) conf.push(`max_payload: ${o.maxPayload}`);
    const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', this.storeDir];
    if (conf.length > 0) {
      const file = join(this.dir, 'server.conf');
      writeFileSync(file, `${conf.join('\n')}\n`);
      args.push('-c', file);
    }
    if (o.user !== undefined) args.push('--user', o.user, '--pass', o.password ?? '');
    if (o.token !== undefined) args.push('--auth', o.token);
    const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    this.stopped = new Promise((resolve) => proc.once('exit', () => resolve()));
    let log = '';
    let done = () => {};
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start in 20 s:\n${log}`)), 20_000);
      const early = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code}) while starting:\n${log}`));
      };
      proc.once('exit', early);
      done = () => proc.off('exit', early);
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const m = /Listening for client connections on [^\n]*:(\d+)/.exec(log);
        if (m !== null) this.port = Number(m[1]);
        if (this.port !== 0 && log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    done();
    proc.stderr!.removeAllListeners('data');
    proc.stderr!.resume();
  }

  /** SIGKILL (the broker dies mid-traffic); `restart()` brings it back on the same port and store. */
  async kill(): Promise<void> {
    this.proc?.kill('SIGKILL');
    await this.stopped;
    this.proc = undefined;
  }

  async restart(): Promise<void> {
    if (this.proc !== undefined) await this.kill();
    await this.launch(this.port);
  }

  /** Stops the server (SIGTERM) and removes its store. */
  async stop(): Promise<void> {
    if (this.proc !== undefined) {
      this.proc.kill('SIGTERM');
      await this.stopped;
      this.proc = undefined;
    }
    if (this.options.storeDir === undefined) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Is nats-server's version printable (installed and runnable)? */
export function natsServerVersion(): string | undefined {
  const bin = natsServerBinary();
  if (bin === undefined) return undefined;
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
