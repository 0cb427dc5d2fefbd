// Checks the deploy files against the code, since no container runs in CI: every YAML/JSON file
// parses; docker-compose.yml's services have images, their mounts exist, the search attributes it
// registers are workflows/searchAttributes.ts's; Prometheus scrapes the ports the worker serves;
// every metric a dashboard queries is one the worker exports; the Kubernetes manifests have the
// expected kinds, the seed's probes, resources and autoscaling; the Dockerfile exposes the right
// ports and its image has what the worker imports.
//   node --import tsx scripts/checkDeploy.ts [root]     (exit 1 and one line per problem)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { HTTP_ROUTES } from '../workers/http.js';
import { OrchestratorMetrics } from '../workers/metrics.js';
import { TEMPORAL_SDK_METRIC_NAMES } from '../workers/metricsTemporal.js';
import { projectRoot } from '../workers/paths.js';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';

export interface DeployCheckResult {
  files: string[];
  problems: string[];
}

type Doc = Record<string, unknown>;
type Service = Doc;

const COMPOSE = 'docker-compose.yml';
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const asObject = (v: unknown): Doc => (isObject(v) ? v : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

export async function checkDeploy(root: string): Promise<DeployCheckResult> {
  const problems: string[] = [];
  const docs = readConfigFiles(root, problems);
  const known = new Set([...(await new OrchestratorMetrics().sampleNames()), ...TEMPORAL_SDK_METRIC_NAMES]);
  const compose = asObject(docs.get(COMPOSE)?.[0]);
  const services = asObject(compose.services) as Record<string, Service>;
  const worker = checkCompose(root, services, problems);
  checkPrometheus(docs, services, worker, problems);
  checkGrafana(docs, services, known, problems);
  checkKubernetes(docs, problems);
  checkDockerfile(root, problems);
  return { files: [...docs.keys()], problems };
}

// ---- reading ----

function readConfigFiles(root: string, problems: string[]): Map<string, unknown[]> {
  const docs = new Map<string, unknown[]>();
  const paths = [join(root, COMPOSE), ...walk(join(root, 'deploy'))];
  for (const path of paths) {
    const file = relative(root, path);
    if (!existsSync(path)) {
      problems.push(`${file}: missing`);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    if (file.endsWith('.json')) {
      try {
        docs.set(file, [JSON.parse(text)]);
      } catch (error) {
        problems.push(`${file}: not valid JSON: ${(error as Error).message}`);
      }
      continue;
    }
    const parsed = parseAllDocuments(text);
    const all = Array.isArray(parsed) ? parsed : [parsed];
    const errors = all.flatMap((d) => d.errors.map((e) => e.message.split('\n')[0]));
    if (errors.length) problems.push(`${file}: not valid YAML: ${errors.join('; ')}`);
    else
      docs.set(
        file,
        all.map((d) => d.toJS() as unknown).filter((d) => d !== null),
      );
  }
  return docs;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return /\.(ya?ml|json)$/.test(entry.name) ? [path] : [];
  });
}

// ---- docker-compose.yml ----

interface WorkerService {
  name: string;
  httpPort: number;
  temporalMetricsPort: number | undefined;
}

/** Container ports a compose service makes reachable to the others (expose, and ports' targets). */
function servicePorts(service: Service): Set<number> {
  const ports = new Set<number>();
  for (const entry of asArray(service.expose)) ports.add(Number.parseInt(asString(entry), 10));
  for (const entry of asArray(service.ports)) {
    if (isObject(entry)) ports.add(Number(entry.target));
    else ports.add(Number.parseInt(asString(entry).split(':').at(-1) ?? '', 10));
  }
  return ports;
}

function environment(service: Service): Record<string, string | null> {
  const env = service.environment;
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((e) => {
        const [key = '', ...value] = asString(e).split('=');
        return [key, value.length ? value.join('=') : null];
      }),
    );
  return Object.fromEntries(
    Object.entries(asObject(env)).map(([k, v]) => [k, v === null ? null : asString(v)]),
  );
}

/** `./deploy/x:/target:ro` bind mounts as source (relative to root) → target. */
function bindMounts(service: Service): { source: string; target: string }[] {
  return asArray(service.volumes).flatMap((v) => {
    const [source = '', target = ''] = asString(v).split(':');
    return source.startsWith('.') ? [{ source, target }] : [];
  });
}

const portOf = (address: string | null | undefined): number | undefined => {
  const match = /:(\d+)$/.exec(address ?? '');
  return match ? Number(match[1]) : undefined;
};

const IMAGE_ROLES: [string, RegExp][] = [
  ['Temporal server', /^temporalio\/(auto-setup|server):/],
  ['Temporal UI', /^temporalio\/ui:/],
  ['PostgreSQL', /^postgres:/],
  ['Redis', /^redis:/],
  ['Prometheus', /^prom\/prometheus:/],
  ['Grafana', /^grafana\/grafana(-oss)?:/],
];

const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function checkCompose(
  root: string,
  services: Record<string, Service>,
  problems: string[],
): WorkerService | undefined {
  const at = (name: string): string => `${COMPOSE}: service ${name}`;
  if (!Object.keys(services).length) problems.push(`${COMPOSE}: no services`);
  for (const [name, service] of Object.entries(services)) {
    const image = asString(service.image);
    if (!image && !service.build) problems.push(`${at(name)} has neither image nor build`);
    if (image && !service.build && !/:[\w.-]+$/.test(image.replace(/^[^/]*\/\//, '')))
      problems.push(`${at(name)}: image ${image} has no tag; pin a version`);
    if (!service.build && /:latest$/.test(image)) problems.push(`${at(name)}: image ${image}; pin a version`);
    const dependsOn = Array.isArray(service.depends_on)
      ? service.depends_on
      : Object.keys(asObject(service.depends_on));
    for (const dep of dependsOn)
      if (!services[asString(dep)])
        problems.push(`${at(name)} depends on ${asString(dep)}, which is not a service`);
    for (const mount of bindMounts(service))
      if (!existsSync(resolve(root, mount.source)))
        problems.push(`${at(name)} mounts ${mount.source}, which does not exist`);
  }
  const images = Object.values(services).map((s) => asString(s.image));
  for (const [role, pattern] of IMAGE_ROLES)
    if (!images.some((image) => pattern.test(image))) problems.push(`${COMPOSE}: no ${role} service`);
  const temporal = Object.entries(services).find(([, s]) =>
    /^temporalio\/auto-setup:/.test(asString(s.image)),
  );
  if (temporal && !/^postgres/.test(environment(temporal[1]).DB ?? ''))
    problems.push(`${at(temporal[0])}: DB must be postgres12 (Temporal on PostgreSQL)`);
  checkSearchAttributes(services, problems);

  const built = Object.entries(services).filter(([, s]) => s.build);
  if (built.length !== 1) {
    problems.push(
      `${COMPOSE}: expected one service built from the Dockerfile (the worker), found ${built.length}`,
    );
    return undefined;
  }
  const [name, service] = built[0] as [string, Service];
  const build = asObject(service.build);
  const dockerfile = join(root, asString(build.context) || '.', asString(build.dockerfile) || 'Dockerfile');
  if (!existsSync(dockerfile))
    problems.push(`${at(name)} builds ${relative(root, dockerfile)}, which does not exist`);
  const env = environment(service);
  const httpPort = Number(env.WORKER_HTTP_PORT ?? 8000);
  const temporalMetricsPort = portOf(env.TEMPORAL_METRICS_BIND);
  const ports = servicePorts(service);
  if (!ports.has(httpPort)) problems.push(`${at(name)}: WORKER_HTTP_PORT ${httpPort} is not in expose/ports`);
  if (temporalMetricsPort === undefined) problems.push(`${at(name)}: TEMPORAL_METRICS_BIND is not set`);
  else if (!ports.has(temporalMetricsPort))
    problems.push(`${at(name)}: TEMPORAL_METRICS_BIND port ${temporalMetricsPort} is not in expose/ports`);
  const health = asArray(asObject(service.healthcheck).test).map(asString).join(' ');
  if (
    !health.includes(`:${httpPort}${HTTP_ROUTES.liveness}'`) &&
    !health.includes(`:${httpPort}${HTTP_ROUTES.liveness}"`)
  )
    problems.push(`${at(name)}: healthcheck does not call ${HTTP_ROUTES.liveness} on port ${httpPort}`);
  for (const key of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']) {
    const value = env[key];
    if (value && !/^\$\{?\w+/.test(value))
      problems.push(`${at(name)}: ${key} is written in the file; pass it from the host`);
  }
  for (const [key, want] of [
    ['TEMPORAL_ADDRESS', temporal?.[0]],
    ['REDIS_URL', Object.entries(services).find(([, s]) => /^redis:/.test(asString(s.image)))?.[0]],
  ] as const) {
    const host = /^(?:\w+:\/\/)?([^:/]+)/.exec(env[key] ?? '')?.[1];
    if (want && host !== want)
      problems.push(`${at(name)}: ${key} should point at service ${want}, not ${host}`);
  }
  return { name, httpPort, temporalMetricsPort };
}

function checkSearchAttributes(services: Record<string, Service>, problems: string[]): void {
  const lines = Object.values(services)
    .flatMap((s) => [s.command, s.entrypoint].flatMap((c) => (Array.isArray(c) ? c : [c])).map(asString))
    .flatMap((c) => c.split('\n'))
    .filter((line) => line.includes('search-attribute create'));
  if (!lines.length) {
    problems.push(
      `${COMPOSE}: no service registers the search attributes (temporal operator search-attribute create)`,
    );
    return;
  }
  const registered = new Map<string, string>();
  for (const line of lines) {
    const names = [...line.matchAll(/--name[ =](\S+)/g)].map((m) => m[1] as string);
    const type = /--type[ =](\S+)/.exec(line)?.[1] ?? '';
    // The CLI registers only the first of several --name flags (measured with temporal 1.9.1).
    if (names.length !== 1)
      problems.push(`${COMPOSE}: one --name per search-attribute create, got: ${line.trim()}`);
    for (const name of names) registered.set(name, type);
  }
  for (const key of searchAttributeKeys) {
    const want = CLI_TYPE[key.type] ?? key.type;
    const got = registered.get(key.name);
    if (got === undefined) problems.push(`${COMPOSE}: search attribute ${key.name} is not registered`);
    else if (got !== want)
      problems.push(`${COMPOSE}: search attribute ${key.name} is registered as ${got}, not ${want}`);
    registered.delete(key.name);
  }
  for (const extra of registered.keys())
    problems.push(
      `${COMPOSE}: registers search attribute ${extra}, which workflows/searchAttributes.ts does not define`,
    );
}

// ---- Prometheus ----

const PROMETHEUS = 'deploy/prometheus/prometheus.yml';

function checkPrometheus(
  docs: Map<string, unknown[]>,
  services: Record<string, Service>,
  worker: WorkerService | undefined,
  problems: string[],
): void {
  const config = asObject(docs.get(PROMETHEUS)?.[0]);
  const prometheus = Object.entries(services).find(([, s]) => /^prom\/prometheus:/.test(asString(s.image)));
  if (prometheus && !bindMounts(prometheus[1]).some((m) => m.source.endsWith(PROMETHEUS)))
    problems.push(`${COMPOSE}: service ${prometheus[0]} does not mount ./${PROMETHEUS}`);
  const scraped: { job: string; host: string; port: number; path: string }[] = [];
  for (const job of asArray(config.scrape_configs).map(asObject)) {
    const name = asString(job.job_name);
    const path = asString(job.metrics_path) || '/metrics';
    for (const target of asArray(job.static_configs).flatMap((s) => asArray(asObject(s).targets))) {
      const [host = '', port = ''] = asString(target).split(':');
      scraped.push({ job: name, host, port: Number(port), path });
    }
    for (const sd of asArray(job.dns_sd_configs).map(asObject))
      for (const host of asArray(sd.names))
        scraped.push({ job: name, host: asString(host), port: Number(sd.port), path });
  }
  if (!scraped.length) problems.push(`${PROMETHEUS}: no scrape targets`);
  for (const target of scraped) {
    const name = target.host === 'localhost' ? prometheus?.[0] : target.host;
    const service = name ? services[name] : undefined;
    if (!service)
      problems.push(
        `${PROMETHEUS}: job ${target.job} scrapes ${target.host}, which is not a compose service`,
      );
    else if (!servicePorts(service).has(target.port))
      problems.push(
        `${PROMETHEUS}: job ${target.job} scrapes ${target.host}:${target.port}, a port ${name} does not expose`,
      );
  }
  if (!worker) return;
  const toWorker = scraped.filter((t) => t.host === worker.name);
  const http = toWorker.find((t) => t.port === worker.httpPort);
  if (!http) problems.push(`${PROMETHEUS}: no job scrapes the worker's ${worker.name}:${worker.httpPort}`);
  else if (http.path !== HTTP_ROUTES.metrics)
    problems.push(
      `${PROMETHEUS}: job ${http.job} scrapes ${http.path}, the worker serves ${HTTP_ROUTES.metrics}`,
    );
  if (
    worker.temporalMetricsPort !== undefined &&
    !toWorker.some((t) => t.port === worker.temporalMetricsPort)
  )
    problems.push(
      `${PROMETHEUS}: no job scrapes the Temporal SDK metrics at ${worker.name}:${worker.temporalMetricsPort}`,
    );
}

// ---- Grafana ----

const AGGREGATIONS = new Set(
  'sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio'.split(
    ' ',
  ),
);
const KEYWORDS = new Set(
  'by without on ignoring group_left group_right bool and or unless offset atan2 inf nan'.split(' '),
);
const OVER_TIME = 'avg min max sum count quantile stddev stdvar last present mad'
  .split(' ')
  .map((f) => `${f}_over_time`);
const FUNCTIONS = new Set([
  ...OVER_TIME,
  ...`abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week day_of_year
  days_in_month delta deriv exp floor histogram_avg histogram_count histogram_fraction histogram_quantile
  histogram_stddev histogram_stdvar histogram_sum holt_winters hour idelta increase irate label_join label_replace
  ln log2 log10 minute month predict_linear rate resets round scalar sgn sort sort_desc sort_by_label
  sort_by_label_desc sqrt time timestamp vector year`.split(/\s+/),
]);

/** Problems of one PromQL expression: unbalanced brackets, unknown functions, unknown metrics. */
export function promqlProblems(expr: string, known: Set<string>): string[] {
  const problems: string[] = [];
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const open: string[] = [];
  const closing: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  for (const ch of bare) {
    if ('({['.includes(ch)) open.push(ch);
    else if (ch in closing && open.pop() !== closing[ch]) problems.push(`unbalanced "${ch}"`);
  }
  if (open.length) problems.push(`unclosed "${open.join('')}"`);
  const stripped = bare
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  for (const match of stripped.matchAll(/(?<![\w.:$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const name = match[1] as string;
    if (match[2]) {
      if (!FUNCTIONS.has(name) && !AGGREGATIONS.has(name)) problems.push(`unknown function ${name}()`);
    } else if (!KEYWORDS.has(name.toLowerCase()) && !AGGREGATIONS.has(name) && !known.has(name)) {
      problems.push(`unknown metric ${name}`);
    }
  }
  if (expr.includes('histogram_quantile') && !(/_bucket\b/.test(expr) && /\bby\s*\([^)]*\ble\b/.test(expr)))
    problems.push('histogram_quantile needs a _bucket series summed by (le, ...)');
  return problems;
}

function panelsOf(panels: unknown): Doc[] {
  return asArray(panels).flatMap((p) => [asObject(p), ...panelsOf(asObject(p).panels)]);
}

function checkGrafana(
  docs: Map<string, unknown[]>,
  services: Record<string, Service>,
  known: Set<string>,
  problems: string[],
): void {
  const grafana = Object.entries(services).find(([, s]) => /^grafana\/grafana/.test(asString(s.image)));
  const mounts = grafana ? bindMounts(grafana[1]) : [];
  const mountOf = (dir: string) => mounts.find((m) => m.source.replace(/\/$/, '') === `./${dir}`);
  for (const dir of ['deploy/grafana/provisioning', 'deploy/grafana/dashboards'])
    if (grafana && !mountOf(dir)) problems.push(`${COMPOSE}: service ${grafana[0]} does not mount ./${dir}`);
  const uids = new Set<string>();
  const fileDocs = (prefix: string) => [...docs].filter(([file]) => file.startsWith(prefix));
  for (const [file, [doc]] of fileDocs('deploy/grafana/provisioning/datasources/')) {
    for (const source of asArray(asObject(doc).datasources).map(asObject)) {
      uids.add(asString(source.uid));
      const match = /^https?:\/\/([^:/]+):(\d+)/.exec(asString(source.url));
      const service = match ? services[match[1] as string] : undefined;
      if (!match || !service || !servicePorts(service).has(Number(match[2])))
        problems.push(`${file}: datasource url ${asString(source.url)} is not a port of a compose service`);
    }
  }
  if (!uids.size) problems.push('deploy/grafana/provisioning/datasources: no datasource');
  const dashboardsTarget = mountOf('deploy/grafana/dashboards')?.target;
  const providers = fileDocs('deploy/grafana/provisioning/dashboards/').flatMap(([file, [doc]]) =>
    asArray(asObject(doc).providers).map((p) => ({
      file,
      path: asString(asObject(asObject(p).options).path),
    })),
  );
  if (!providers.length) problems.push('deploy/grafana/provisioning/dashboards: no dashboard provider');
  for (const provider of providers)
    if (dashboardsTarget && provider.path.replace(/\/$/, '') !== dashboardsTarget.replace(/\/$/, ''))
      problems.push(
        `${provider.file}: loads ${provider.path}, but compose mounts the dashboards on ${dashboardsTarget}`,
      );

  const seenUids = new Set<string>();
  const usedFamilies = new Set<string>();
  const dashboards = fileDocs('deploy/grafana/dashboards/').filter(([file]) => file.endsWith('.json'));
  if (!dashboards.length) problems.push('deploy/grafana/dashboards: no dashboard');
  for (const [file, [doc]] of dashboards) {
    const board = asObject(doc);
    const uid = asString(board.uid);
    if (!uid || !asString(board.title)) problems.push(`${file}: a dashboard needs a uid and a title`);
    if (seenUids.has(uid)) problems.push(`${file}: uid ${uid} is used by another dashboard`);
    seenUids.add(uid);
    const queries: { where: string; expr: string; datasource: unknown }[] = [];
    for (const variable of asArray(asObject(board.templating).list).map(asObject)) {
      const query = isObject(variable.query) ? asString(variable.query.query) : asString(variable.query);
      const labelValues = /^label_values\((.*),\s*\w+\)$/.exec(query.trim());
      queries.push({
        where: `variable ${asString(variable.name)}`,
        expr: labelValues?.[1] ?? query,
        datasource: variable.datasource,
      });
    }
    for (const panel of panelsOf(board.panels)) {
      if (panel.type === 'row') continue;
      const title = asString(panel.title);
      if (!asArray(panel.targets).length) problems.push(`${file}: panel "${title}" has no query`);
      for (const target of asArray(panel.targets).map(asObject))
        queries.push({
          where: `panel "${title}"`,
          expr: asString(target.expr),
          datasource: target.datasource ?? panel.datasource,
        });
    }
    for (const query of queries) {
      const datasource = asString(asObject(query.datasource).uid);
      if (query.datasource !== undefined && !uids.has(datasource))
        problems.push(`${file}: ${query.where} uses datasource "${datasource}", which is not provisioned`);
      for (const problem of promqlProblems(query.expr, known))
        problems.push(`${file}: ${query.where}: ${problem}: ${query.expr}`);
      for (const name of query.expr.match(/\bllm_\w+/g) ?? [])
        usedFamilies.add(name.replace(/_(bucket|sum|count)$/, ''));
    }
  }
  for (const name of known)
    if (name.startsWith('llm_') && !usedFamilies.has(name.replace(/_(bucket|sum|count)$/, '')))
      problems.push(`deploy/grafana/dashboards: no dashboard shows ${name}`);
}

// ---- Kubernetes ----

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

function checkKubernetes(docs: Map<string, unknown[]>, problems: string[]): void {
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
  for (const deployment of ofKind('Deployment'))
    checkDeployment(deployment.file, deployment.doc, secrets, configMaps, problems);
  const deploymentName = asString(asObject(ofKind('Deployment')[0]?.doc.metadata).name);
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

function checkDeployment(
  file: string,
  doc: Doc,
  secrets: Map<string, Set<string>>,
  configMaps: Map<string, Set<string>>,
  problems: string[],
): void {
  const template = asObject(asObject(doc.spec).template);
  const selector = asObject(asObject(asObject(doc.spec).selector).matchLabels);
  const labels = asObject(asObject(template.metadata).labels);
  for (const [key, value] of Object.entries(selector))
    if (labels[key] !== value)
      problems.push(`${file}: selector ${key}=${asString(value)} does not match the pod labels`);
  const containers = asArray(asObject(template.spec).containers).map(asObject);
  const container = containers[0];
  if (!container) {
    problems.push(`${file}: no container`);
    return;
  }
  const env = new Map(asArray(container.env).map((e) => [asString(asObject(e).name), asObject(e)]));
  const httpPort = Number(asString(env.get('WORKER_HTTP_PORT')?.value) || 8000);
  const ports = asArray(container.ports).map(asObject);
  const portNumber = (p: unknown) =>
    typeof p === 'number' ? p : Number(ports.find((port) => port.name === p)?.containerPort ?? Number.NaN);
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
  for (const [name, entry] of env) {
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

// ---- Dockerfile ----

function checkDockerfile(root: string, problems: string[]): void {
  const path = join(root, 'Dockerfile');
  if (!existsSync(path)) {
    problems.push('Dockerfile: missing');
    return;
  }
  const text = readFileSync(path, 'utf8').replace(/\\\n/g, ' ');
  const from = /^FROM\s+node:(\d+)/m.exec(text);
  if (!from || Number(from[1]) < 20)
    problems.push('Dockerfile: FROM must be a node image of Node 20 or later');
  const envPort = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(text)?.[1];
  const httpPort = Number(envPort('WORKER_HTTP_PORT') ?? 8000);
  const sdkPort = portOf(envPort('TEMPORAL_METRICS_BIND'));
  const exposed = new Set(
    (/^EXPOSE\s+(.+)$/m.exec(text)?.[1] ?? '').split(/\s+/).map((p) => Number.parseInt(p, 10)),
  );
  for (const port of [httpPort, sdkPort])
    if (port && !exposed.has(port)) problems.push(`Dockerfile: does not EXPOSE ${port}`);
  if (!text.includes(`:${httpPort}${HTTP_ROUTES.liveness}'`))
    problems.push(`Dockerfile: HEALTHCHECK does not call ${HTTP_ROUTES.liveness} on ${httpPort}`);
  const bin = asString(
    asObject(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin)['llm-orchestrator'],
  );
  if (!/^CMD\s+\[.*"worker"\]/m.test(text) || !text.includes(bin.replace(/^\.\//, '')))
    problems.push(`Dockerfile: CMD must run ${bin} worker`);
  const ignored = existsSync(join(root, '.dockerignore'))
    ? readFileSync(join(root, '.dockerignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  // The host's node_modules would overwrite the image's own `npm ci`.
  if (!ignored.includes('node_modules')) problems.push('.dockerignore: must exclude node_modules');
  const runtime = importGraph(root, [join(root, bin), join(root, 'workflows', 'index.ts')]);
  for (const file of runtime.files) {
    const top = relative(root, file).split('/')[0] ?? '';
    if (ignored.includes(top))
      problems.push(`.dockerignore: excludes ${top}, which the worker imports (${relative(root, file)})`);
  }
  if (/npm ci[^\n]*--omit=dev/.test(text)) {
    const dev = Object.keys(
      asObject(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies),
    );
    for (const pkg of runtime.packages)
      if (dev.includes(pkg))
        problems.push(`Dockerfile: installs with --omit=dev, but the worker imports ${pkg}, a devDependency`);
  }
}

/** Files and packages reachable by runtime (non-type) imports from `entries`. */
function importGraph(root: string, entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file) || !existsSync(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm),
      ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1] as string);
    for (const spec of specifiers) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        packages.add(
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        );
        continue;
      }
      const target = resolve(dirname(file), spec);
      visit(existsSync(target.replace(/\.js$/, '.ts')) ? target.replace(/\.js$/, '.ts') : target);
    }
  };
  for (const entry of entries) visit(entry);
  if (!files.size) throw new Error(`no entry found under ${root}`);
  return { files, packages };
}

// ---- command line ----

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(process.argv[2] ?? projectRoot);
  const { files, problems } = await checkDeploy(root);
  for (const problem of problems) console.error(problem);
  console.log(
    problems.length
      ? `deploy check: ${problems.length} problem(s) in ${root}`
      : `deploy check: ${files.length} files agree with the code (compose, Prometheus, Grafana, Kubernetes, Dockerfile)`,
  );
  process.exitCode = problems.length ? 1 : 0;
}
