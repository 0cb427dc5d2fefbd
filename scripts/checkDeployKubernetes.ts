// The Kubernetes manifests in deploy/k8s against the code: the expected kinds in one namespace, all
// listed by the Kustomization (Secrets excepted: they are created with kubectl), no secret value in
// the repository, every env reference resolvable; the worker's Deployment with the seed's probes,
// resources and autoscaling; the API's Deployment (scripts/checkDeployApi.ts); a Service for each.
import { dirname, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { HTTP_ROUTES } from '../workers/http.js';
import { checkKubernetesApi, servesApi } from './checkDeployApi.js';
import {
  asArray,
  asObject,
  asString,
  commandLine,
  containerEnv,
  containerPort,
  type Doc,
  firstContainer,
  portOf,
} from './deployDocs.js';

const SEED_RESOURCES = { limits: { cpu: '1000m', memory: '2Gi' }, requests: { cpu: '500m', memory: '1Gi' } };
const SEED_HPA = {
  minReplicas: 2,
  maxReplicas: 10,
  metrics: [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
    {
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
    },
  ],
  behavior: {
    scaleUp: {
      stabilizationWindowSeconds: 60,
      policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }],
    },
    scaleDown: {
      stabilizationWindowSeconds: 300,
      policies: [{ type: 'Percent', value: 20, periodSeconds: 60 }],
    },
  },
};
const K8S_KINDS = [
  'Namespace',
  'ConfigMap',
  'Secret',
  'Deployment',
  'Service',
  'HorizontalPodAutoscaler',
  'Kustomization',
];

export function checkKubernetes(docs: Map<string, unknown[]>, problems: string[]): void {
  const manifests = [...docs]
    .filter(([file]) => file.startsWith('deploy/k8s/'))
    .flatMap(([file, all]) => all.map((doc) => ({ file, doc: asObject(doc) })));
  const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind);
  for (const kind of K8S_KINDS) if (!ofKind(kind).length) problems.push(`deploy/k8s: no ${kind}`);
  const namespace = asString(asObject(ofKind('Namespace')[0]?.doc.metadata).name);
  for (const { file, doc } of manifests) {
    if (['Namespace', 'Kustomization'].includes(asString(doc.kind))) continue;
    const ns = asString(asObject(doc.metadata).namespace);
    if (ns !== namespace)
      problems.push(`${file}: ${asString(doc.kind)} is in namespace "${ns}", not "${namespace}"`);
  }
  for (const { file, doc } of ofKind('Kustomization')) {
    const listed = new Set(asArray(doc.resources).map(asString));
    for (const name of listed)
      if (!docs.has(join(dirname(file), name))) problems.push(`${file}: lists ${name}, which does not exist`);
    for (const other of new Set(manifests.map((m) => m.file)))
      if (other !== file && dirname(other) === dirname(file) && !listed.has(relative(dirname(file), other)))
        if (!manifests.some((m) => m.file === other && m.doc.kind === 'Secret'))
          problems.push(`${file}: does not list ${relative(dirname(file), other)}`);
  }
  const secrets = new Map<string, Set<string>>();
  for (const { file, doc } of ofKind('Secret')) {
    const values = { ...asObject(doc.data), ...asObject(doc.stringData) };
    secrets.set(asString(asObject(doc.metadata).name), new Set(Object.keys(values)));
    for (const [key, value] of Object.entries(values))
      if (asString(value))
        problems.push(`${file}: secret key ${key} has a value in the repository; create it with kubectl`);
  }
  const configMaps = new Map(
    ofKind('ConfigMap').map(({ doc }) => [
      asString(asObject(doc.metadata).name),
      new Set(Object.keys(asObject(doc.data))),
    ]),
  );
  const deployments = ofKind('Deployment');
  for (const { file, doc } of deployments) checkPodTemplate(file, doc, secrets, configMaps, problems);
  const isApi = ({ doc }: { doc: Doc }): boolean => servesApi(commandLine(firstContainer(doc) ?? {}));
  const workers = deployments.filter((d) => !isApi(d));
  const apis = deployments.filter(isApi);
  for (const { file, doc } of workers) checkWorkerDeployment(file, doc, problems);
  if (!workers.length) problems.push('deploy/k8s: no Deployment runs the worker');
  if (!apis.length) problems.push('deploy/k8s: no Deployment runs the HTTP API (llm-orchestrator serve)');
  for (const { file, doc } of apis) checkKubernetesApi(file, doc, workers[0], problems);
  checkServicesSelect(deployments, ofKind('Service'), problems);
  const deploymentName = asString(asObject(workers[0]?.doc.metadata).name);
  for (const { file, doc } of ofKind('HorizontalPodAutoscaler')) {
    const spec = asObject(doc.spec);
    const target = asObject(spec.scaleTargetRef);
    if (target.kind !== 'Deployment' || target.name !== deploymentName)
      problems.push(
        `${file}: scales ${asString(target.kind)} ${asString(target.name)}, not Deployment ${deploymentName}`,
      );
    const { scaleTargetRef: _, ...rest } = spec;
    if (!isDeepStrictEqual(rest, SEED_HPA))
      problems.push(
        `${file}: differs from the design's autoscaling (2-10 replicas, CPU 70%, memory 80%, its behavior)`,
      );
  }
}

const podLabels = (doc: Doc): Doc =>
  asObject(asObject(asObject(asObject(doc.spec).template).metadata).labels);

/** What every Deployment needs: its selector matches its pods, and each env reference resolves. */
function checkPodTemplate(
  file: string,
  doc: Doc,
  secrets: Map<string, Set<string>>,
  configMaps: Map<string, Set<string>>,
  problems: string[],
): void {
  const selector = asObject(asObject(asObject(doc.spec).selector).matchLabels);
  const labels = podLabels(doc);
  for (const [key, value] of Object.entries(selector))
    if (labels[key] !== value)
      problems.push(`${file}: selector ${key}=${asString(value)} does not match the pod labels`);
  const container = firstContainer(doc);
  if (!container) {
    problems.push(`${file}: no container`);
    return;
  }
  for (const [name, entry] of containerEnv(container)) {
    const from = asObject(entry.valueFrom);
    for (const [refKey, store, kind] of [
      ['secretKeyRef', secrets, 'Secret'],
      ['configMapKeyRef', configMaps, 'ConfigMap'],
    ] as const) {
      const ref = asObject(from[refKey]);
      if (!ref.name) continue;
      if (!store.get(asString(ref.name))?.has(asString(ref.key)))
        problems.push(
          `${file}: env ${name} reads ${kind} ${asString(ref.name)} key ${asString(ref.key)}, which no manifest defines`,
        );
    }
  }
}

/** Each Deployment's pods are selected by a Service whose ports reach a port of the container. */
function checkServicesSelect(
  deployments: { file: string; doc: Doc }[],
  services: { file: string; doc: Doc }[],
  problems: string[],
): void {
  for (const { file, doc } of deployments) {
    const labels = podLabels(doc);
    const container = firstContainer(doc) ?? {};
    const containerPorts = new Set(asArray(container.ports).map((p) => Number(asObject(p).containerPort)));
    const selecting = services.filter(({ doc: service }) => {
      const selector = Object.entries(asObject(asObject(service.spec).selector));
      return selector.length > 0 && selector.every(([key, value]) => labels[key] === value);
    });
    const name = asString(asObject(doc.metadata).name);
    if (!selecting.length) problems.push(`${file}: no Service selects the pods of Deployment ${name}`);
    for (const { file: serviceFile, doc: service } of selecting)
      for (const port of asArray(asObject(service.spec).ports).map(asObject)) {
        const target = containerPort(container, port.targetPort ?? port.port);
        if (!containerPorts.has(target))
          problems.push(
            `${serviceFile}: port ${asString(port.name) || asString(port.port)} targets ${asString(port.targetPort ?? port.port)}, which Deployment ${name}'s container does not declare`,
          );
      }
  }
}

/** The worker's Deployment: the seed's ports, probes, resources and scrape annotations. */
function checkWorkerDeployment(file: string, doc: Doc, problems: string[]): void {
  const template = asObject(asObject(doc.spec).template);
  const container = firstContainer(doc);
  if (!container) return;
  const env = containerEnv(container);
  const httpPort = Number(asString(env.get('WORKER_HTTP_PORT')?.value) || 8000);
  const ports = asArray(container.ports).map(asObject);
  const portNumber = (p: unknown) => containerPort(container, p);
  if (!ports.some((p) => p.containerPort === httpPort))
    problems.push(`${file}: no containerPort ${httpPort} (WORKER_HTTP_PORT)`);
  const sdkPort = portOf(asString(env.get('TEMPORAL_METRICS_BIND')?.value));
  if (sdkPort === undefined) problems.push(`${file}: TEMPORAL_METRICS_BIND is not set`);
  else if (!ports.some((p) => p.containerPort === sdkPort))
    problems.push(`${file}: no containerPort ${sdkPort} (TEMPORAL_METRICS_BIND)`);
  for (const [probe, path, delay, period] of [
    ['livenessProbe', HTTP_ROUTES.liveness, 30, 10],
    ['readinessProbe', HTTP_ROUTES.readiness, 5, 5],
  ] as const) {
    const spec = asObject(container[probe]);
    const get = asObject(spec.httpGet);
    if (get.path !== path || portNumber(get.port) !== httpPort)
      problems.push(
        `${file}: ${probe} must GET ${path} on port ${httpPort} (workers/http.ts), not ${asString(get.path)} on ${asString(get.port)}`,
      );
    if (spec.initialDelaySeconds !== delay || spec.periodSeconds !== period)
      problems.push(
        `${file}: ${probe} timing differs from the design (initialDelaySeconds ${delay}, periodSeconds ${period})`,
      );
  }
  if (!isDeepStrictEqual(container.resources, SEED_RESOURCES))
    problems.push(`${file}: resources differ from the design (limits 1000m/2Gi, requests 500m/1Gi)`);
  const annotations = asObject(asObject(template.metadata).annotations);
  if (
    annotations['prometheus.io/port'] !== undefined &&
    Number(annotations['prometheus.io/port']) !== httpPort
  )
    problems.push(`${file}: prometheus.io/port is not the worker's port ${httpPort}`);
  if (
    annotations['prometheus.io/path'] !== undefined &&
    annotations['prometheus.io/path'] !== HTTP_ROUTES.metrics
  )
    problems.push(`${file}: prometheus.io/path is not ${HTTP_ROUTES.metrics}`);
}
