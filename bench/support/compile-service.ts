import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/**
 * Compiles one service and the libs with swc into `outputDirectory`, as
 * `npm run build` does for the container image, and returns the path of
 * the compiled main.js. Production runs compiled JavaScript, and loading
 * TypeScript through tools/register.cjs adds about 70 MB of resident
 * memory, so the benchmarks measure compiled services. `outputDirectory`
 * must be inside the repository, so that Node.js finds node_modules.
 */
export async function compileService(
  service: 'webhook-matcher' | 'webhook-delivery',
  outputDirectory: string,
): Promise<string> {
  await compileSources([`apps/${service}/src`, 'libs'], outputDirectory);

  return path.join(outputDirectory, `apps/${service}/src/main.js`);
}

/**
 * Compiles the delivery benchmark's reference worker with the webhook-delivery
 * sources and the libs it imports, and returns the compiled script's path.
 */
export async function compileReferenceWorker(
  outputDirectory: string,
): Promise<string> {
  await compileSources(
    ['bench/support/reference-worker.ts', 'apps/webhook-delivery/src', 'libs'],
    outputDirectory,
  );

  return path.join(outputDirectory, 'bench/support/reference-worker.js');
}

async function compileSources(
  sources: string[],
  outputDirectory: string,
): Promise<void> {
  await run(
    path.join(ROOT, 'node_modules/.bin/swc'),
    [...sources, '-d', outputDirectory, '--copy-files', '--quiet'],
    { cwd: ROOT, timeout: 120_000 },
  );
}
