// A cross-process lock around serverless runs: offline and package share .esbuild/ in the project and delete it on exit.
import { rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits until no other test process runs serverless in this project, then holds the lock until `release()`.
 * A lock whose holder died is taken over.
 */
export async function acquireServerlessLock(projectDir: string = process.cwd(), timeoutMs = 240_000): Promise<() => Promise<void>> {
  const dir = join(tmpdir(), `meshgate-serverless-${createHash('sha256').update(projectDir).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        process.off('exit', releaseSync);
        await rm(dir, { recursive: true, force: true });
      };
      const releaseSync = () => rmSync(dir, { recursive: true, force: true });
      process.once('exit', releaseSync);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => '0'));
    if (holder > 0 && !alive(holder)) await rm(dir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`another test process held ${dir} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
