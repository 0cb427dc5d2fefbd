// The HTTP API (`llm-orchestrator serve`) in the deploy files: it runs from the worker's image, listens
// on all interfaces on API_PORT, is published and probed on that port (not on the worker's), and
// shares the worker's Temporal namespace, task queue, Redis and payload keys — a request the API
// starts must reach the workers, and both must read the same payloads. Used by scripts/checkDeploy.ts.
import { isDeepStrictEqual } from 'node:util';
import {
  asArray,
  asObject,
  asString,
  COMPOSE,
  commandLine,
  containerEnv,
  containerPort,
  type Doc,
  dependencies,
  environment,
  firstContainer,
  publishedPorts,
  type Service,
  servicePorts,
} from './deployDocs.js';

/** api/run.ts's default port, and the routes api/routes/health.ts serves. */
export const API_DEFAULT_PORT = 8080;
export const API_ROUTES = { liveness: '/health', readiness: '/health/ready', metrics: '/metrics' } as const;

/** Settings the worker and the API must agree on. */
export const SHARED_ENV = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'LLM_TASK_QUEUE',
  'REDIS_URL',
  'TEMPLATES_DIR',
  'PAYLOAD_ENCRYPTION_KEY',
  'PAYLOAD_ENCRYPTION_KEY_ID',
  'PAYLOAD_DECRYPTION_KEYS',
  'CLAIM_CHECK_STORE',
  'CLAIM_CHECK_DIR',
  'CLAIM_CHECK_THRESHOLD_BYTES',
] as const;

/** Whether a command line runs the HTTP API. */
export const servesApi = (command: string): boolean => /(^|\s)serve(\s|$)/.test(command);

const LISTENS_EVERYWHERE = new Set(['0.0.0.0', '::']);
const flag = (command: string, name: string): string | undefined =>
  new RegExp(`--${name}[ =](\\S+)`).exec(command)?.[1];

export interface ComposeApp {
  name: string;
  service: Service;
}

export interface ApiService {
  name: string;
  port: number;
}

/** Problems of the compose service that serves the API; its name and port for the Prometheus check. */
export function checkComposeApi(
  api: ComposeApp,
  worker: ComposeApp | undefined,
  services: Record<string, Service>,
  temporal: string | undefined,
  problems: string[],
): ApiService {
  const at = `${COMPOSE}: service ${api.name}`;
  const command = commandLine(api.service);
  const env = environment(api.service);
  const port = Number(flag(command, 'port') ?? env.API_PORT ?? API_DEFAULT_PORT);
  const host = flag(command, 'host') ?? env.API_HOST ?? '127.0.0.1';
  if (!LISTENS_EVERYWHERE.has(host))
    problems.push(`${at}: listens on ${host}, unreachable from outside its container; set API_HOST: 0.0.0.0`);
  if (!servicePorts(api.service).has(port)) problems.push(`${at}: API_PORT ${port} is not in expose/ports`);
  if (![...publishedPorts(api.service).values()].includes(port))
    problems.push(
      `${at}: API_PORT ${port} is not published (ports), so no caller outside the stack reaches it`,
    );
  const healthcheck = asObject(api.service.healthcheck).test;
  const test = Array.isArray(healthcheck) ? healthcheck.map(asString).join(' ') : asString(healthcheck);
  if (!test.includes(`:${port}${API_ROUTES.liveness}'`) && !test.includes(`:${port}${API_ROUTES.liveness}"`))
    problems.push(
      `${at}: healthcheck does not call ${API_ROUTES.liveness} on port ${port} (the image's own probes the worker's port)`,
    );
  if (temporal && !dependsOnTransitively(api.name, temporal, services))
    problems.push(`${at} does not depend on ${temporal}, directly or through another service`);
  if (!worker) return { name: api.name, port };
  if (asString(api.service.image) !== asString(worker.service.image))
    problems.push(
      `${at}: image ${asString(api.service.image) || '(none)'} is not the worker's ${asString(worker.service.image)}; run the API from the image the Dockerfile builds`,
    );
  const workerEnv = environment(worker.service);
  for (const key of SHARED_ENV) {
    if (env[key] === workerEnv[key]) continue;
    problems.push(
      `${at}: ${key} is ${shown(env[key])}, the worker's is ${shown(workerEnv[key])}; both must be the same`,
    );
  }
  return { name: api.name, port };
}

const shown = (value: string | null | undefined): string =>
  value === undefined ? 'not set' : value === null ? 'passed from the host' : `"${value}"`;

function dependsOnTransitively(from: string, target: string, services: Record<string, Service>): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length) {
    const name = queue.shift() as string;
    for (const dep of dependencies(services[name] ?? {})) {
      if (dep === target) return true;
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return false;
}

/** Problems of a Deployment that serves the API, compared with the worker's Deployment. */
export function checkKubernetesApi(
  file: string,
  doc: Doc,
  worker: { file: string; doc: Doc } | undefined,
  problems: string[],
): void {
  const container = firstContainer(doc);
  if (!container) return; // reported with every Deployment
  const command = commandLine(container);
  const env = containerEnv(container);
  const literal = (name: string): string | undefined => {
    const value = env.get(name)?.value;
    return value === undefined ? undefined : asString(value);
  };
  const port = Number(flag(command, 'port') ?? literal('API_PORT') ?? API_DEFAULT_PORT);
  const host = flag(command, 'host') ?? literal('API_HOST') ?? '127.0.0.1';
  if (!LISTENS_EVERYWHERE.has(host))
    problems.push(
      `${file}: the API listens on ${host}, unreachable from its Service; set API_HOST to 0.0.0.0`,
    );
  if (!asArray(container.ports).some((p) => Number(asObject(p).containerPort) === port))
    problems.push(`${file}: no containerPort ${port} (API_PORT)`);
  for (const [probe, path] of [
    ['livenessProbe', API_ROUTES.liveness],
    ['readinessProbe', API_ROUTES.readiness],
  ] as const) {
    const get = asObject(asObject(container[probe]).httpGet);
    if (get.path !== path || containerPort(container, get.port) !== port)
      problems.push(
        `${file}: ${probe} must GET ${path} on the API's port ${port}, not ${asString(get.path)} on ${asString(get.port)}`,
      );
  }
  const resources = asObject(container.resources);
  for (const kind of ['requests', 'limits'])
    for (const resource of ['cpu', 'memory'])
      if (!asString(asObject(resources[kind])[resource]))
        problems.push(`${file}: resources.${kind}.${resource} is not set`);
  const annotations = asObject(asObject(asObject(asObject(doc.spec).template).metadata).annotations);
  if (annotations['prometheus.io/port'] !== undefined && Number(annotations['prometheus.io/port']) !== port)
    problems.push(`${file}: prometheus.io/port is not the API's port ${port}`);
  const apiKeys = literal('API_KEYS');
  if (apiKeys) problems.push(`${file}: API_KEYS has a value in the manifest; read it from a Secret`);

  const workerContainer = worker ? firstContainer(worker.doc) : undefined;
  if (!worker || !workerContainer) return;
  if (asString(container.image) !== asString(workerContainer.image))
    problems.push(
      `${file}: image ${asString(container.image)} is not the worker's ${asString(workerContainer.image)} (${worker.file})`,
    );
  const workerEnv = containerEnv(workerContainer);
  for (const key of SHARED_ENV)
    if (!isDeepStrictEqual(env.get(key), workerEnv.get(key)))
      problems.push(
        `${file}: env ${key} differs from the worker's (${worker.file}); both must read the same`,
      );
}
