import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

interface ServiceManifest {
  kind?: string;
  spec?: {
    template?: {
      spec?: {
        containers?: {
          name: string;
          env?: { name: string; value?: string }[];
        }[];
      };
    };
  };
}

/**
 * Returns the NODE_OPTIONS that `k8s/base/<service>.yaml` gives the
 * service's container, so that a benchmark runs the service with the heap
 * settings of production. Throws when the manifest sets none.
 */
export function manifestNodeOptions(
  service: 'webhook-matcher' | 'webhook-delivery',
): string {
  const file = path.join(ROOT, 'k8s/base', `${service}.yaml`);
  const manifest = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as ServiceManifest)
    .find((candidate) => candidate?.kind === 'Deployment');
  const container = manifest?.spec?.template?.spec?.containers?.find(
    (candidate) => candidate.name === service,
  );
  const value = container?.env?.find(
    (variable) => variable.name === 'NODE_OPTIONS',
  )?.value;
  if (value === undefined) {
    throw new Error(
      `${path.relative(ROOT, file)} sets no NODE_OPTIONS on container ${service}; ` +
        'add it to the Deployment, or set the benchmark options variable',
    );
  }

  return value;
}
