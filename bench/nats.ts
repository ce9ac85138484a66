/**
 * Support for the cluster workloads (natsOneWay, natsCall, natsCallsInFlight): one nats-server for the
 * whole bench run, started on a free port by the test harness (test/cluster/nats-server.ts, imported from
 * here rather than copied) the first time a workload asks for it; `runPair`, which runs a workload's two
 * sides as two fresh Node processes; and the few helpers those processes share (payload, the lines they
 * print to report). A cluster contestant is a pair of processes: a receiving side that prints `ready` once
 * it can take messages, and a sending side that then runs the workload, times it itself and prints
 * `{"result": <msgs per s>}`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { NatsServer, natsServerBinary } from '../test/cluster/nats-server.js';

/** The size of every message (and reply) in the cluster workloads: a small realistic payload. */
export const PAYLOAD_BYTES = 40;

/** A fresh PAYLOAD_BYTES-byte message; its first 4 bytes are free for a sequence number. */
export function payload(): Uint8Array {
  const data = new Uint8Array(PAYLOAD_BYTES);
  for (let i = 4; i < PAYLOAD_BYTES; i++) data[i] = i;
  return data;
}

/** Why the cluster workloads cannot run here, or undefined when they can. */
export function natsUnavailable(): string | undefined {
  return natsServerBinary() === undefined
    ? 'nats-server is not on PATH (install it: `sudo apt-get install -y nats-server`)'
    : undefined;
}

let server: Promise<NatsServer> | undefined;

/** The URL of the run's nats-server, starting it on first use. */
export async function natsUrl(): Promise<string> {
  server ??= NatsServer.start();
  return (await server).url;
}

/** Stops the run's nats-server if one was started. */
export async function stopNats(): Promise<void> {
  const s = server;
  server = undefined;
  if (s !== undefined) await (await s.catch(() => undefined))?.stop(); // a failed start was reported by its runs
}

/** A subject no other run uses (the server is shared by every run of the suite). */
export function freshSubject(workload: string): string {
  return `bench.${workload}.${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
}

/** Child side: says the receiving side is ready for the workload. */
export function readyLine(): void {
  process.stdout.write('ready\n');
}

/** Child side: reports the sending side's measurement. */
export function resultLine(value: number): void {
  process.stdout.write(`${JSON.stringify({ result: value })}\n`);
}

/** Child side: resolves when the bench closes this process's stdin (a responder's signal to stop). */
export function stopOnStdinEnd(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.resume();
  });
}

interface Child {
  /** Resolves with the first stdout line that passes `want`; rejects if the process ends first. */
  line(want: (line: string) => boolean): Promise<string>;
  /** Never resolves; rejects if the process exits with an error (or is killed). */
  failed(): Promise<never>;
  /** Closes stdin and resolves when the process has exited (rejects on a non-zero exit). */
  finish(): Promise<void>;
  kill(): void;
}

function child(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { want: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  proc.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  proc.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    let nl = out.indexOf('\n');
    while (nl >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      const i = waiters.findIndex((w) => w.want(line));
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(line);
      nl = out.indexOf('\n');
    }
  });
  const failure = (code: number | null) =>
    new Error(
      `${script} ${args[0] ?? ''} exited (${code})${err === '' ? '' : `: ${err.trim().slice(-600)}`}`,
    );
  return {
    line: (want) =>
      new Promise((resolve, reject) => {
        waiters.push({ want, resolve });
        void exited.then((code) => reject(failure(code)));
      }),
    failed: () =>
      new Promise<never>((_, reject) => {
        void exited.then((code) => {
          if (code !== 0) reject(failure(code));
        });
      }),
    finish: async () => {
      proc.stdin!.end();
      const code = await exited;
      if (code !== 0) throw failure(code);
    },
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}

/**
 * Runs one measurement of a cluster workload as two fresh Node processes running `script` (a path from the
 * repository root): `receiverArgs` first, until it prints `ready`; then `senderArgs`, until it prints its
 * result. Resolves with that result once both have exited cleanly; on any failure, or after `timeoutMs`,
 * kills both and rejects.
 */
export async function runPair(
  script: string,
  receiverArgs: string[],
  senderArgs: string[],
  timeoutMs = 55_000,
): Promise<number> {
  const receiver = child(script, receiverArgs);
  let sender: Child | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${script}: no result in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([receiver.line((l) => l === 'ready'), timeout]);
    sender = child(script, senderArgs);
    const line = await Promise.race([sender.line((l) => l.startsWith('{')), receiver.failed(), timeout]);
    const result = (JSON.parse(line) as { result: number }).result;
    await Promise.race([Promise.all([sender.finish(), receiver.finish()]), timeout]);
    return result;
  } finally {
    clearTimeout(timer);
    receiver.kill();
    sender?.kill();
  }
}

/** The path of a bench script from the repository root (where `npm run bench` runs). */
export const benchScript = (...parts: string[]): string => join('bench', ...parts);
