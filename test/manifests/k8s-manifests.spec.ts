// Renders every kustomization under k8s/, and the fixtures beside this file,
// with `kubectl kustomize`. Each rendered object must match the Kubernetes or
// KEDA JSON schema and TypeScript type from kubernetes-models, and must follow
// the deployment rules that a schema cannot express. The test runs offline:
// it needs kubectl (or kustomize) on PATH, but no cluster.
import { execFileSync } from 'node:child_process';
import { Dirent, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
  ScaledObject,
  TriggerAuthentication,
} from '@kubernetes-models/keda/keda.sh/v1alpha1';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { Deployment } from 'kubernetes-models/apps/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const repositoryRoot = path.resolve(__dirname, '../..');
const k8sRoot = path.join(repositoryRoot, 'k8s');
const fixturesRoot = path.join(__dirname, 'fixtures');

const NAMESPACE = 'quor-webhooks';
const SECRET_NAME = 'quor-webhooks-secrets';
const SECRET_KEYS = ['DATABASE_URL', 'AMQP_URL', 'JWT_SECRET'];
const DELIVERY = 'webhook-delivery';
const DELIVERY_QUEUE = 'webhook-delivery.jobs';

// Settings that exist only for tests and the local demo. They make the
// services accept and call loopback addresses or trust an extra CA, so no
// manifest may contain them.
const TEST_ONLY_SETTINGS = ['EGRESS_ALLOW_LOOPBACK', 'EGRESS_EXTRA_CA_FILE'];

// Address ranges that the delivery egress rule on TCP 443 must leave out.
const REQUIRED_IPV4_EXCEPTIONS = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
];
const REQUIRED_IPV6_EXCEPTIONS = ['::1/128', 'fc00::/7', 'fe80::/10'];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
}

interface RenderedTarget {
  /** Directory of the kustomization, relative to the repository root. */
  name: string;
  manifests: Manifest[];
}

type Workload = IDeployment | IJob;

interface ManifestModel {
  /** Throws an error that lists every schema violation of the manifest. */
  validate: (manifest: Manifest) => void;
  /** Module that exports the TypeScript interface of the kind. */
  typeModule: string;
  typeName: string;
}

// kubernetes-models 4.5 bundles the schemas and types of Kubernetes 1.27,
// and @kubernetes-models/keda 0.4 those of KEDA 2.10. A kind missing here
// fails its schema test, so add a row when a new kind is deployed.
const MODELS: Record<string, ManifestModel> = {
  'v1/Namespace': {
    validate: (manifest) => new Namespace(manifest as never).validate(),
    typeModule: 'kubernetes-models/v1/Namespace',
    typeName: 'INamespace',
  },
  'v1/ConfigMap': {
    validate: (manifest) => new ConfigMap(manifest as never).validate(),
    typeModule: 'kubernetes-models/v1/ConfigMap',
    typeName: 'IConfigMap',
  },
  'v1/Service': {
    validate: (manifest) => new Service(manifest as never).validate(),
    typeModule: 'kubernetes-models/v1/Service',
    typeName: 'IService',
  },
  'apps/v1/Deployment': {
    validate: (manifest) => new Deployment(manifest as never).validate(),
    typeModule: 'kubernetes-models/apps/v1/Deployment',
    typeName: 'IDeployment',
  },
  'batch/v1/Job': {
    validate: (manifest) => new Job(manifest as never).validate(),
    typeModule: 'kubernetes-models/batch/v1/Job',
    typeName: 'IJob',
  },
  'policy/v1/PodDisruptionBudget': {
    validate: (manifest) =>
      new PodDisruptionBudget(manifest as never).validate(),
    typeModule: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    typeName: 'IPodDisruptionBudget',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    validate: (manifest) => new NetworkPolicy(manifest as never).validate(),
    typeModule: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    typeName: 'INetworkPolicy',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    validate: (manifest) =>
      new HorizontalPodAutoscaler(manifest as never).validate(),
    typeModule: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    typeName: 'IHorizontalPodAutoscaler',
  },
  'keda.sh/v1alpha1/ScaledObject': {
    validate: (manifest) => new ScaledObject(manifest as never).validate(),
    typeModule: '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
    typeName: 'IScaledObject',
  },
  'keda.sh/v1alpha1/TriggerAuthentication': {
    validate: (manifest) =>
      new TriggerAuthentication(manifest as never).validate(),
    typeModule:
      '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
    typeName: 'ITriggerAuthentication',
  },
};

function modelOf(manifest: Manifest): ManifestModel | undefined {
  return MODELS[`${manifest.apiVersion}/${manifest.kind}`];
}

const CLUSTER_SCOPED_KINDS = new Set(['Namespace']);

// Sorted, because readdirSync returns entries in file-system order and the
// test names and their order should not depend on it.
function readSortedDirectory(directory: string): Dirent[] {
  return readdirSync(directory, { withFileTypes: true }).sort((left, right) =>
    left.name.localeCompare(right.name),
  );
}

/** Lists directories under `root` that hold a kustomization.yaml of kind Kustomization. */
function findKustomizations(root: string): string[] {
  const found: string[] = [];
  const kustomizationFile = path.join(root, 'kustomization.yaml');
  if (existsSync(kustomizationFile)) {
    const kustomization = parseYamlFile(kustomizationFile)[0] as {
      kind?: string;
    };
    if (kustomization.kind !== 'Component') {
      found.push(root);
    }
  }
  for (const entry of readSortedDirectory(root)) {
    if (entry.isDirectory()) {
      found.push(...findKustomizations(path.join(root, entry.name)));
    }
  }
  return found;
}

/** Lists every file under `root` whose name ends in .yaml or .yml. */
function findYamlFiles(root: string): string[] {
  const found: string[] = [];
  for (const entry of readSortedDirectory(root)) {
    const entryPath = path.join(root, entry.name);
    if (entry.isDirectory()) {
      found.push(...findYamlFiles(entryPath));
    } else if (/\.ya?ml$/.test(entry.name)) {
      found.push(entryPath);
    }
  }
  return found;
}

function parseYaml(text: string, source: string): unknown[] {
  return parseAllDocuments(text).map((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(
        `Invalid YAML in document ${index + 1} of ${source}: ${document.errors[0].message}`,
      );
    }
    return document.toJS() as unknown;
  });
}

function parseYamlFile(file: string): unknown[] {
  return parseYaml(readFileSync(file, 'utf8'), file);
}

/** Converts a Kubernetes memory quantity (Mi, Gi, M, G or bytes) to MiB. */
function mebibytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!match) {
    throw new Error(`memory quantity ${quantity} is not in a supported form`);
  }
  const factors: Record<string, number> = {
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    K: 1000 / 1024 ** 2,
    M: 1000 ** 2 / 1024 ** 2,
    G: 1000 ** 3 / 1024 ** 2,
  };

  return Number(match[1]) * (match[2] ? factors[match[2]] : 1 / 1024 ** 2);
}

/** Runs `kubectl kustomize`, or `kustomize build` where only kustomize is installed. */
function renderKustomization(directory: string): string {
  const renderers: Array<[string, string[]]> = [
    ['kubectl', ['kustomize', directory]],
    ['kustomize', ['build', directory]],
  ];
  for (const [command, args] of renderers) {
    try {
      return execFileSync(command, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      if (failure.code === 'ENOENT') {
        continue;
      }
      throw new Error(
        `${command} ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`,
      );
    }
  }
  throw new Error(
    'Neither kubectl nor kustomize was found on PATH. These tests render the ' +
      'overlays with `kubectl kustomize`: install kubectl 1.27 or later, or kustomize 5.',
  );
}

function relativeToRepository(file: string): string {
  return path.relative(repositoryRoot, file);
}

function describeManifest(manifest: Manifest): string {
  return `${manifest.kind} ${manifest.metadata.name}`;
}

/**
 * Maps "Kind name" to the file under k8s/ that a kustomization lists in
 * `resources`, so that a failing assertion names the file to fix. Objects that
 * kustomize generates, such as the ConfigMap, map to no file. Overlay patches
 * are not resources, so they never shadow the file that defines an object.
 */
function indexSourceFiles(): Map<string, string> {
  const sources = new Map<string, string>();
  const kustomizationFiles = findYamlFiles(k8sRoot).filter(
    (file) => path.basename(file) === 'kustomization.yaml',
  );
  for (const kustomizationFile of kustomizationFiles) {
    const kustomization = parseYamlFile(kustomizationFile)[0] as {
      resources?: string[];
    };
    for (const resource of kustomization.resources ?? []) {
      const resourcePath = path.resolve(
        path.dirname(kustomizationFile),
        resource,
      );
      if (!/\.ya?ml$/.test(resourcePath)) {
        continue;
      }
      for (const document of parseYamlFile(resourcePath)) {
        const manifest = document as Manifest;
        sources.set(
          describeManifest(manifest),
          relativeToRepository(resourcePath),
        );
      }
    }
  }
  return sources;
}

function labelManifest(
  manifest: Manifest,
  sources: Map<string, string>,
): string {
  const source = sources.get(describeManifest(manifest)) ?? 'generated';
  return `${describeManifest(manifest)} (${source})`;
}

function findAll<T>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter(
    (manifest) => manifest.kind === kind,
  ) as unknown as T[];
}

function findDeployment(
  manifests: Manifest[],
  name: string,
): IDeployment | undefined {
  return findAll<IDeployment>(manifests, 'Deployment').find(
    (deployment) => deployment.metadata?.name === name,
  );
}

function podSpecOf(workload: Workload): IPodSpec {
  const podSpec = workload.spec?.template.spec;
  if (!podSpec) {
    throw new Error(
      `${workload.kind} ${workload.metadata?.name} has no pod spec.`,
    );
  }
  return podSpec;
}

function containersOf(workload: Workload): IContainer[] {
  const podSpec = podSpecOf(workload);
  return [...(podSpec.initContainers ?? []), ...podSpec.containers];
}

function selectorMatches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) {
    return false;
  }
  return Object.entries(selector).every(
    ([key, value]) => labels?.[key] === value,
  );
}

/** Resolves an env var of `container` to its literal or ConfigMap value. */
function resolveEnvValue(
  container: IContainer,
  name: string,
  manifests: Manifest[],
): string | undefined {
  const variable = container.env?.find((entry) => entry.name === name);
  if (!variable) {
    return undefined;
  }
  if (variable.value !== undefined) {
    return variable.value;
  }
  const reference = variable.valueFrom?.configMapKeyRef;
  if (!reference) {
    return undefined;
  }
  const configMap = findAll<IConfigMap>(manifests, 'ConfigMap').find(
    (candidate) => candidate.metadata?.name === reference.name,
  );
  return configMap?.data?.[reference.key];
}

function imageTag(image: string): string | undefined {
  const lastSegment = image.split('/').pop() ?? '';
  const separator = lastSegment.indexOf(':');
  return separator === -1 ? undefined : lastSegment.slice(separator + 1);
}

function portNumbers(
  policy: INetworkPolicy,
  direction: 'ingress' | 'egress',
): string[] {
  const rules = policy.spec?.[direction] ?? [];
  return rules.flatMap((rule) =>
    (rule.ports ?? []).map((port) => `${port.protocol ?? 'TCP'}/${port.port}`),
  );
}

/**
 * Type-checks each manifest against its kubernetes-models interface and
 * returns the compiler errors per manifest. The JSON schemas accept fields
 * they do not define, as the API server does without strict field
 * validation. TypeScript's excess-property check rejects such fields, so a
 * misspelled field such as `livenesProbe` fails here. Manifests of a kind
 * without a model are left out.
 */
function findTypeErrors(manifests: Manifest[]): Map<Manifest, string[]> {
  const sourceTexts = new Map<string, string>();
  const fileOfManifest = new Map<Manifest, string>();
  manifests.forEach((manifest, index) => {
    const model = modelOf(manifest);
    if (!model) {
      return;
    }
    // The file names are virtual, but they sit in this directory so that the
    // type modules resolve from the repository's node_modules.
    const fileName = path.join(__dirname, `manifest-${index}.generated.ts`);
    fileOfManifest.set(manifest, fileName);
    sourceTexts.set(
      fileName,
      `import type { ${model.typeName} } from '${model.typeModule}';\n` +
        `export const manifest: ${model.typeName} = ${JSON.stringify(manifest, null, 2)};\n`,
    );
  });

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2023,
  };
  const host = ts.createCompilerHost(options);
  const readSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = sourceTexts.get(fileName);
    return text === undefined
      ? readSourceFile(fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, text, languageVersion);
  };
  host.fileExists = (fileName) =>
    sourceTexts.has(fileName) || fileExists(fileName);
  host.readFile = (fileName) => sourceTexts.get(fileName) ?? readFile(fileName);

  const program = ts.createProgram([...sourceTexts.keys()], options, host);
  const errors = new Map<Manifest, string[]>();
  for (const [manifest, fileName] of fileOfManifest) {
    const diagnostics = ts.getPreEmitDiagnostics(
      program,
      program.getSourceFile(fileName),
    );
    errors.set(
      manifest,
      diagnostics.map((diagnostic) =>
        ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
      ),
    );
  }
  return errors;
}

const sourceFiles = indexSourceFiles();

const renderedTargets: RenderedTarget[] = [
  ...findKustomizations(k8sRoot),
  ...findKustomizations(fixturesRoot),
].map((directory) => {
  const name = relativeToRepository(directory);
  const manifests = parseYaml(renderKustomization(directory), name).filter(
    (document): document is Manifest => document !== null,
  );
  return { name, manifests };
});

const typeErrors = findTypeErrors(
  renderedTargets.flatMap((target) => target.manifests),
);

describe('kustomize render targets', () => {
  it.each([
    'k8s/base',
    'k8s/migrations',
    'k8s/overlays/development',
    'k8s/overlays/development/migrations',
    'k8s/overlays/production',
    'k8s/overlays/production/migrations',
    'test/manifests/fixtures/production-cpu-hpa',
  ])('include %s', (name) => {
    expect(renderedTargets.map((target) => target.name)).toContain(name);
  });
});

describe.each(renderedTargets)('$name', ({ manifests }) => {
  const labelled = manifests.map(
    (manifest) => [labelManifest(manifest, sourceFiles), manifest] as const,
  );
  const deployments = findAll<IDeployment>(manifests, 'Deployment');
  const workloads: Workload[] = [
    ...deployments,
    ...findAll<IJob>(manifests, 'Job'),
  ];
  const containerRows = workloads.flatMap((workload) =>
    containersOf(workload).map(
      (container) =>
        [
          `${workload.kind} ${workload.metadata?.name} container ${container.name}`,
          workload,
          container,
        ] as const,
    ),
  );

  it('renders at least one object', () => {
    expect(manifests.length).toBeGreaterThan(0);
  });

  it.each(labelled)('%s matches its schema', (_label, manifest) => {
    const model = modelOf(manifest);
    expect(model).toBeDefined();
    expect(() => model?.validate(manifest)).not.toThrow();
  });

  it.each(labelled)('%s has only known fields', (_label, manifest) => {
    expect(typeErrors.get(manifest)).toEqual([]);
  });

  it.each(labelled)(
    '%s is in the quor-webhooks namespace',
    (_label, manifest) => {
      if (CLUSTER_SCOPED_KINDS.has(manifest.kind)) {
        expect(manifest.metadata.namespace).toBeUndefined();
      } else {
        expect(manifest.metadata.namespace).toBe(NAMESPACE);
      }
    },
  );

  it('contains no Secret', () => {
    expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual(
      [],
    );
  });

  it.each(TEST_ONLY_SETTINGS)('never sets %s', (setting) => {
    expect(JSON.stringify(manifests)).not.toContain(setting);
  });

  if (containerRows.length > 0) {
    describe.each(containerRows)('%s', (_label, workload, container) => {
      const podSpec = podSpecOf(workload);

      it('sets CPU and memory requests and limits', () => {
        expect(container.resources?.requests?.cpu).toBeDefined();
        expect(container.resources?.requests?.memory).toBeDefined();
        expect(container.resources?.limits?.cpu).toBeDefined();
        expect(container.resources?.limits?.memory).toBeDefined();
      });

      it('runs as a non-root user', () => {
        const runAsNonRoot =
          container.securityContext?.runAsNonRoot ??
          podSpec.securityContext?.runAsNonRoot;
        expect(runAsNonRoot).toBe(true);
        expect(container.securityContext?.runAsNonRoot).toBe(true);
        expect(podSpec.securityContext?.runAsUser).toBe(10001);
      });

      it('drops privileges', () => {
        expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
        expect(container.securityContext?.capabilities?.add).toBeUndefined();
        expect(container.securityContext?.privileged).not.toBe(true);
      });

      it('uses the RuntimeDefault seccomp profile', () => {
        const profile =
          container.securityContext?.seccompProfile ??
          podSpec.securityContext?.seccompProfile;
        expect(profile?.type).toBe('RuntimeDefault');
      });

      it('mounts no service account token', () => {
        expect(podSpec.automountServiceAccountToken).toBe(false);
      });

      it('leaves 128 MiB of its memory limit beyond the old space', () => {
        const nodeOptions =
          (container.env ?? []).find(
            (variable) => variable.name === 'NODE_OPTIONS',
          )?.value ?? '';
        const oldSpace = /--max-old-space-size=(\d+)/.exec(nodeOptions);

        expect(
          mebibytes(String(container.resources?.limits?.memory)),
        ).toBeGreaterThanOrEqual((oldSpace ? Number(oldSpace[1]) : 0) + 128);
      });

      it('reads secrets only from quor-webhooks-secrets', () => {
        const secretReferences = (container.env ?? [])
          .map((variable) => variable.valueFrom?.secretKeyRef)
          .filter((reference) => reference !== undefined);
        for (const reference of secretReferences) {
          expect(reference.name).toBe(SECRET_NAME);
          expect(SECRET_KEYS).toContain(reference.key);
        }
      });

      if (workload.kind === 'Deployment') {
        it('probes /health/live and /health/ready', () => {
          expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
          expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
        });

        // Services that own a schema must leave migrations to the Job.
        if (
          container.env?.some((variable) => variable.name === 'DATABASE_URL')
        ) {
          it('sets RUN_MIGRATIONS to false', () => {
            expect(
              resolveEnvValue(container, 'RUN_MIGRATIONS', manifests),
            ).toBe('false');
          });
        }

        it('sets HTTP_PORT to its container port', () => {
          const httpPort = container.ports?.find(
            (port) => port.name === 'http',
          );
          expect(httpPort).toBeDefined();
          expect(resolveEnvValue(container, 'HTTP_PORT', manifests)).toBe(
            String(httpPort?.containerPort),
          );
        });
      }
    });
  }

  if (deployments.length > 0) {
    describe.each(
      deployments.map(
        (deployment) => [deployment.metadata?.name, deployment] as const,
      ),
    )('Deployment %s', (deploymentName, deployment) => {
      const podLabels = deployment.spec?.template.metadata?.labels;

      it('has a PodDisruptionBudget', () => {
        const budgets = findAll<IPodDisruptionBudget>(
          manifests,
          'PodDisruptionBudget',
        ).filter((budget) =>
          selectorMatches(budget.spec?.selector?.matchLabels, podLabels),
        );
        expect(budgets).toHaveLength(1);
      });

      it('has its own NetworkPolicy', () => {
        const policies = findAll<INetworkPolicy>(
          manifests,
          'NetworkPolicy',
        ).filter((policy) =>
          selectorMatches(policy.spec?.podSelector.matchLabels, podLabels),
        );
        expect(policies).toHaveLength(1);
      });

      it('is covered by the default-deny policy', () => {
        const defaultDeny = findAll<INetworkPolicy>(
          manifests,
          'NetworkPolicy',
        ).find((policy) => policy.metadata?.name === 'default-deny-all');
        expect(defaultDeny?.spec?.podSelector).toEqual({});
        expect(defaultDeny?.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
        expect(defaultDeny?.spec?.ingress).toBeUndefined();
        expect(defaultDeny?.spec?.egress).toBeUndefined();
      });

      it('selects its own pod template', () => {
        expect(
          selectorMatches(deployment.spec?.selector.matchLabels, podLabels),
        ).toBe(true);
      });

      it('has a metrics Service', () => {
        const metricsServices = findAll<IService>(manifests, 'Service').filter(
          (service) =>
            service.metadata?.name === `${deploymentName}-metrics` &&
            selectorMatches(service.spec?.selector, podLabels),
        );
        expect(metricsServices).toHaveLength(1);
      });
    });
  }

  const services = findAll<IService>(manifests, 'Service');
  if (services.length > 0) {
    it.each(
      services.map((service) => [service.metadata?.name, service] as const),
    )('Service %s targets a named container port', (_serviceName, service) => {
      const targets = deployments.filter((deployment) =>
        selectorMatches(
          service.spec?.selector,
          deployment.spec?.template.metadata?.labels,
        ),
      );
      expect(targets).toHaveLength(1);
      const containerPortNames = podSpecOf(targets[0]).containers.flatMap(
        (container) => (container.ports ?? []).map((port) => port.name),
      );
      for (const port of service.spec?.ports ?? []) {
        expect(containerPortNames).toContain(port.targetPort);
      }
    });
  }
});

describe.each(
  renderedTargets.filter((target) =>
    findDeployment(target.manifests, DELIVERY),
  ),
)('$name webhook-delivery', ({ name, manifests }) => {
  const delivery = findDeployment(manifests, DELIVERY) as IDeployment;
  const scaledObjects = findAll<IScaledObject>(
    manifests,
    'ScaledObject',
  ).filter(
    (scaledObject) => scaledObject.spec.scaleTargetRef.name === DELIVERY,
  );
  const autoscalers = findAll<IHorizontalPodAutoscaler>(
    manifests,
    'HorizontalPodAutoscaler',
  ).filter((autoscaler) => autoscaler.spec?.scaleTargetRef.name === DELIVERY);
  const policy = findAll<INetworkPolicy>(manifests, 'NetworkPolicy').find(
    (candidate) => candidate.metadata?.name === DELIVERY,
  ) as INetworkPolicy;

  it('allows at least 30 s for graceful shutdown', () => {
    expect(
      podSpecOf(delivery).terminationGracePeriodSeconds,
    ).toBeGreaterThanOrEqual(30);
  });

  it('leaves the replica count to its autoscaler', () => {
    expect(delivery.spec?.replicas).toBeUndefined();
  });

  it('has exactly one autoscaler', () => {
    expect(scaledObjects.length + autoscalers.length).toBe(1);
  });

  if (scaledObjects.length === 1) {
    const scaledObject = scaledObjects[0];

    it('scales on the length of webhook-delivery.jobs', () => {
      expect(scaledObject.spec.triggers).toHaveLength(1);
      const trigger = scaledObject.spec.triggers[0];
      expect(trigger.type).toBe('rabbitmq');
      expect(trigger.metadata.mode).toBe('QueueLength');
      expect(trigger.metadata.queueName).toBe(DELIVERY_QUEUE);
      expect(Number(trigger.metadata.value)).toBeGreaterThan(0);
    });

    it('reads the broker URL from the AMQP_URL secret key', () => {
      const authenticationName =
        scaledObject.spec.triggers[0].authenticationRef?.name;
      const authentication = findAll<ITriggerAuthentication>(
        manifests,
        'TriggerAuthentication',
      ).find((candidate) => candidate.metadata?.name === authenticationName);
      expect(authentication?.spec.secretTargetRef).toEqual([
        { parameter: 'host', name: SECRET_NAME, key: 'AMQP_URL' },
      ]);
    });

    if (!name.includes('development')) {
      it('scales between 2 and 50 pods', () => {
        expect(scaledObject.spec.minReplicaCount).toBe(2);
        expect(scaledObject.spec.maxReplicaCount).toBe(50);
      });
    }
  }

  if (autoscalers.length === 1) {
    it('scales on CPU between 2 and 50 pods', () => {
      const autoscaler = autoscalers[0];
      expect(autoscaler.spec?.minReplicas).toBe(2);
      expect(autoscaler.spec?.maxReplicas).toBe(50);
      expect(autoscaler.spec?.metrics?.[0]?.resource?.name).toBe('cpu');
    });

    it('leaves no KEDA TriggerAuthentication behind', () => {
      expect(findAll(manifests, 'TriggerAuthentication')).toEqual([]);
    });
  }

  it('allows ingress only on the metrics port', () => {
    expect(portNumbers(policy, 'ingress')).toEqual(['TCP/3002']);
  });

  it('allows egress only on ports 443, 5672 and 53', () => {
    expect(new Set(portNumbers(policy, 'egress'))).toEqual(
      new Set(['TCP/443', 'TCP/5672', 'UDP/53', 'TCP/53']),
    );
  });

  it('limits every egress rule to ports', () => {
    // A rule without ports allows every port of its peers.
    for (const rule of policy.spec?.egress ?? []) {
      expect(rule.ports?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it('allows address blocks only on TCP 443', () => {
    const ipBlockRules = (policy.spec?.egress ?? []).filter((rule) =>
      (rule.to ?? []).some((peer) => peer.ipBlock !== undefined),
    );
    expect(ipBlockRules).toHaveLength(1);
    expect(ipBlockRules[0].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    // Peers without ipBlock in the same rule would widen it to pods.
    for (const peer of ipBlockRules[0].to ?? []) {
      expect(peer.ipBlock).toBeDefined();
    }
  });

  it.each([
    ['0.0.0.0/0', REQUIRED_IPV4_EXCEPTIONS],
    ['::/0', REQUIRED_IPV6_EXCEPTIONS],
  ])('excludes private ranges from %s', (cidr, required) => {
    const block = (policy.spec?.egress ?? [])
      .flatMap((rule) => rule.to ?? [])
      .map((peer) => peer.ipBlock)
      .find((candidate) => candidate?.cidr === cidr);
    expect(block).toBeDefined();
    for (const range of required) {
      expect(block?.except).toContain(range);
    }
  });
});

describe('image tags', () => {
  const images = (targetName: string): string[] => {
    const target = renderedTargets.find(
      (candidate) => candidate.name === targetName,
    );
    const workloads: Workload[] = [
      ...findAll<IDeployment>(target?.manifests ?? [], 'Deployment'),
      ...findAll<IJob>(target?.manifests ?? [], 'Job'),
    ];
    return workloads.flatMap((workload) =>
      containersOf(workload).map((container) => container.image ?? ''),
    );
  };

  it.each(['k8s/overlays/production', 'k8s/overlays/production/migrations'])(
    '%s pins a version tag',
    (targetName) => {
      const tags = images(targetName).map(imageTag);
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) {
        expect(tag).toMatch(/^\d+\.\d+\.\d+/);
      }
    },
  );

  it.each(['k8s/overlays/development', 'k8s/overlays/development/migrations'])(
    '%s uses the dev tag',
    (targetName) => {
      const tags = images(targetName).map(imageTag);
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) {
        expect(tag).toBe('dev');
      }
    },
  );
});

describe('test-only settings', () => {
  const files = [
    ...findYamlFiles(k8sRoot),
    path.join(repositoryRoot, 'docker-compose.yml'),
    ...readdirSync(path.join(repositoryRoot, 'docker')).map((entry) =>
      path.join(repositoryRoot, 'docker', entry),
    ),
  ];
  const rows = files.flatMap((file) =>
    TEST_ONLY_SETTINGS.map(
      (setting) => [relativeToRepository(file), setting, file] as const,
    ),
  );

  it.each(rows)('%s does not mention %s', (_relativePath, setting, file) => {
    expect(readFileSync(file, 'utf8')).not.toContain(setting);
  });
});
