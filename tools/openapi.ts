import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(__dirname, '..');

/** Committed OpenAPI document of the webhook-config API. */
const DOCUMENT_FILE = path.join(ROOT, 'docs', 'openapi.json');

/** Script of webhook-config that prints its document without any service. */
const PRINT_SCRIPT = path.join(
  ROOT,
  'apps/webhook-config/src/openapi/print-openapi.ts',
);

/**
 * Writes the OpenAPI document of webhook-config to docs/openapi.json, or
 * with --check exits with code 1 when the file differs from what the code
 * produces. The document comes from a child process because tools may not
 * import application code directly.
 */
function main(): void {
  const { values } = parseArgs({
    options: { check: { type: 'boolean', default: false } },
  });
  let document: string;
  try {
    document = execFileSync(
      process.execPath,
      ['-r', path.join(ROOT, 'tools/register.cjs'), PRINT_SCRIPT],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
  } catch {
    // The child process has already printed why it failed.
    console.error(`${path.relative(ROOT, PRINT_SCRIPT)} failed; see above`);
    process.exit(1);
  }

  if (!values.check) {
    writeFileSync(DOCUMENT_FILE, document);
    console.log(`wrote ${path.relative(ROOT, DOCUMENT_FILE)}`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(DOCUMENT_FILE, 'utf8');
  } catch {
    // A missing file is reported like an outdated one.
  }
  if (committed !== document) {
    console.error(
      'docs/openapi.json is out of date; run `npm run openapi` and commit docs/openapi.json',
    );
    process.exit(1);
  }
  console.log('docs/openapi.json is up to date');
}

main();
