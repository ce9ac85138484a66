/**
 * The exit status of a PARLEY-style program (`start…Controller(); spawn(main)`): 1 when a top-level actor
 * ends abnormally (any reason but 'normal', 'shutdown' or `{ shutdown: … }`), 0 otherwise, and the
 * program's own `process.exitCode` if it set one. Each case runs test/fixtures/exit-status.ts in a child
 * process, on tasklets and on threads.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';

function runFixture(
  controller: string,
  which: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/exit-status.ts', controller, which],
    { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const controller of ['tasklets', 'threads']) {
  describe(`the exit status of a PARLEY-style program on ${controller}`, function () {
    this.timeout(70_000);

    it('is 1 when main throws, and the crash is reported', () => {
      const r = runFixture(controller, 'crash');
      expect(r.stdout).to.equal('crash done\n');
      expect(r.stderr).to.contain('main failed');
      expect(r.status, `stderr: ${r.stderr}`).to.equal(1);
    });

    it('is 0 when main returns', () => {
      const r = runFixture(controller, 'normal');
      expect(r.stdout).to.equal('normal done\n');
      expect(r.status, `stderr: ${r.stderr}`).to.equal(0);
    });

    it("is 0 when main exits with { shutdown: reason } (a clean stop, as OTP's {shutdown, _})", () => {
      const r = runFixture(controller, 'shutdown');
      expect(r.stdout).to.equal('shutdown done\n');
      expect(r.status, `stderr: ${r.stderr}`).to.equal(0);
    });

    it('is 1 when a top-level actor of a class (on a worker thread, on threads) fails to start', () => {
      const r = runFixture(controller, 'worker-crash');
      expect(r.stdout).to.equal('worker-crash done\n');
      expect(r.stderr).to.contain('could not start');
      expect(r.status, `stderr: ${r.stderr}`).to.equal(1);
    });

    it('keeps the exit code the program set itself when main crashes', () => {
      const r = runFixture(controller, 'own-code');
      expect(r.stdout).to.equal('own-code done\n');
      expect(r.status, `stderr: ${r.stderr}`).to.equal(3);
    });
  });
}
