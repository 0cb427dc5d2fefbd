// Checks the deploy files against the code, since no container runs in CI: every YAML/JSON file
// parses; docker-compose.yml's services have images, their mounts exist, no two publish the same
// host port, the search attributes it registers are workflows/searchAttributes.ts's; the worker and
// the HTTP API run from one image with the same Temporal, task queue, Redis and payload settings
// (scripts/checkDeployApi.ts); Prometheus scrapes the ports the worker and the API serve; every
// metric a dashboard queries is one the worker or the API exports; the Kubernetes manifests have the
// expected kinds, the seed's probes, resources and autoscaling for the worker, a Deployment and a
// Service for the API (scripts/checkDeployKubernetes.ts); the Dockerfile exposes the right ports and
// its image has what the worker imports.
//   node --import tsx scripts/checkDeploy.ts [root]     (exit 1 and one line per problem)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { createApiMetrics } from '../api/metrics.js';
import { projectRoot } from '../config/paths.js';
import { HTTP_ROUTES } from '../workers/http.js';
import { OrchestratorMetrics } from '../workers/metrics.js';
import { TEMPORAL_SDK_METRIC_NAMES } from '../workers/metricsTemporal.js';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';
import {
  API_ROUTES,
  type ApiService,
  type ComposeApp,
  checkComposeApi,
  servesApi,
} from './checkDeployApi.js';
import { checkCluster } from './checkDeployCluster.js';
import { checkKubernetes } from './checkDeployKubernetes.js';
import {
  asArray,
  asObject,
  asString,
  bindMounts,
  COMPOSE,
  commandLine,
  type Doc,
  dependencies,
  environment,
  isObject,
  portOf,
  publishedPorts,
  type Service,
  servicePorts,
} from './deployDocs.js';

export interface DeployCheckResult {
  files: string[];
  problems: string[];
}

/** Sample names of a registry's families, histogram and summary series included. */
async function sampleNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    else if (type === 'summary')
      for (const suffix of ['', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    else names.add(metric.name);
  }
  return names;
}

export async function checkDeploy(root: string): Promise<DeployCheckResult> {
  const problems: string[] = [];
  const docs = readConfigFiles(root, problems);
  // What dashboards may query, and what they must show: our families (the API's Node process
  // metrics, prefixed llm_api_, may be shown but need not be).
  const apiOwn = await sampleNames(createApiMetrics().registry);
  const known = new Set([
    ...(await new OrchestratorMetrics().sampleNames()),
    ...TEMPORAL_SDK_METRIC_NAMES,
    ...(await sampleNames(createApiMetrics({ defaultMetrics: true }).registry)),
  ]);
  const shown = new Set(
    [...known].filter((n) => n.startsWith('llm_') && (!n.startsWith('llm_api_') || apiOwn.has(n))),
  );
  const compose = asObject(docs.get(COMPOSE)?.[0]);
  const services = asObject(compose.services) as Record<string, Service>;
  const apps = checkCompose(root, services, problems);
  checkPrometheus(docs, services, apps, problems);
  checkGrafana(docs, services, known, shown, problems);
  checkKubernetes(docs, problems);
  checkCluster(docs, services, problems);
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

/** Settings written into a compose file or manifest only as a reference to the host or a Secret. */
const SECRET_ENV = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'API_KEYS',
  'PAYLOAD_ENCRYPTION_KEY',
  'PAYLOAD_DECRYPTION_KEYS',
];

interface ComposeApps {
  worker?: WorkerService;
  api?: ApiService;
}

function checkCompose(root: string, services: Record<string, Service>, problems: string[]): ComposeApps {
  const at = (name: string): string => `${COMPOSE}: service ${name}`;
  if (!Object.keys(services).length) problems.push(`${COMPOSE}: no services`);
  const hostPorts = new Map<number, string>();
  for (const [name, service] of Object.entries(services)) {
    const image = asString(service.image);
    if (!image && !service.build) problems.push(`${at(name)} has neither image nor build`);
    if (image && !service.build && !/:[\w.-]+$/.test(image.replace(/^[^/]*\/\//, '')))
      problems.push(`${at(name)}: image ${image} has no tag; pin a version`);
    if (!service.build && /:latest$/.test(image)) problems.push(`${at(name)}: image ${image}; pin a version`);
    for (const dep of dependencies(service))
      if (!services[dep]) problems.push(`${at(name)} depends on ${dep}, which is not a service`);
    for (const mount of bindMounts(service))
      if (!existsSync(resolve(root, mount.source)))
        problems.push(`${at(name)} mounts ${mount.source}, which does not exist`);
    for (const hostPort of publishedPorts(service).keys()) {
      const other = hostPorts.get(hostPort);
      if (other) problems.push(`${COMPOSE}: host port ${hostPort} is published by both ${other} and ${name}`);
      hostPorts.set(hostPort, name);
    }
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
  for (const [name, service] of built) {
    const build = asObject(service.build);
    const dockerfile = join(root, asString(build.context) || '.', asString(build.dockerfile) || 'Dockerfile');
    if (!existsSync(dockerfile))
      problems.push(`${at(name)} builds ${relative(root, dockerfile)}, which does not exist`);
  }
  const workers = built.filter(([, s]) => !servesApi(commandLine(s)));
  if (workers.length !== 1) {
    problems.push(
      `${COMPOSE}: expected one worker service built from the Dockerfile (its CMD runs the worker), found ${workers.length}`,
    );
  }
  const apis = Object.entries(services).filter(([, s]) => servesApi(commandLine(s)));
  if (apis.length !== 1)
    problems.push(
      `${COMPOSE}: expected one service running the HTTP API (llm-orchestrator serve), found ${apis.length}`,
    );
  const apps: ComposeApps = {};
  const [workerEntry] = workers.length === 1 ? workers : [];
  const worker: ComposeApp | undefined = workerEntry && { name: workerEntry[0], service: workerEntry[1] };
  if (worker) apps.worker = checkWorkerService(worker, problems);
  const [apiEntry] = apis.length === 1 ? apis : [];
  if (apiEntry)
    apps.api = checkComposeApi(
      { name: apiEntry[0], service: apiEntry[1] },
      worker,
      services,
      temporal?.[0],
      problems,
    );
  for (const { name, service } of [worker, apiEntry && { name: apiEntry[0], service: apiEntry[1] }].filter(
    (app): app is ComposeApp => app !== undefined,
  )) {
    const env = environment(service);
    for (const key of SECRET_ENV) {
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
  }
  return apps;
}

/** The worker's ports and healthcheck agree with the variables that set them. */
function checkWorkerService({ name, service }: ComposeApp, problems: string[]): WorkerService {
  const at = `${COMPOSE}: service ${name}`;
  const env = environment(service);
  const httpPort = Number(env.WORKER_HTTP_PORT ?? 8000);
  const temporalMetricsPort = portOf(env.TEMPORAL_METRICS_BIND);
  const ports = servicePorts(service);
  if (!ports.has(httpPort)) problems.push(`${at}: WORKER_HTTP_PORT ${httpPort} is not in expose/ports`);
  if (temporalMetricsPort === undefined) problems.push(`${at}: TEMPORAL_METRICS_BIND is not set`);
  else if (!ports.has(temporalMetricsPort))
    problems.push(`${at}: TEMPORAL_METRICS_BIND port ${temporalMetricsPort} is not in expose/ports`);
  const health = asArray(asObject(service.healthcheck).test).map(asString).join(' ');
  if (
    !health.includes(`:${httpPort}${HTTP_ROUTES.liveness}'`) &&
    !health.includes(`:${httpPort}${HTTP_ROUTES.liveness}"`)
  )
    problems.push(`${at}: healthcheck does not call ${HTTP_ROUTES.liveness} on port ${httpPort}`);
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
  { worker, api }: ComposeApps,
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
  if (api) {
    const toApi = scraped.find((t) => t.host === api.name && t.port === api.port);
    if (!toApi) problems.push(`${PROMETHEUS}: no job scrapes the API's ${api.name}:${api.port}`);
    else if (toApi.path !== API_ROUTES.metrics)
      problems.push(
        `${PROMETHEUS}: job ${toApi.job} scrapes ${toApi.path}, the API serves ${API_ROUTES.metrics}`,
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
  shown: Set<string>,
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
  for (const name of shown)
    if (!usedFamilies.has(name.replace(/_(bucket|sum|count)$/, '')))
      problems.push(`deploy/grafana/dashboards: no dashboard shows ${name}`);
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
