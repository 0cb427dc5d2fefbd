// scripts/checkDeploy.ts: the repository's deploy files agree with the code, and each kind of drift
// (a dashboard on a metric that does not exist, a scrape on the wrong port, a probe on the wrong
// path, an API on another task queue than the worker, …) written into a copy of the project is
// reported with a message that names it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { projectRoot } from '../config/paths.js';
import { checkDeploy } from '../scripts/checkDeploy.js';

const NOT_COPIED = new Set(['node_modules', '.git', '.tools', '.data', 'bench', 'test']);
const copies: string[] = [];
after(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** `text` with the last occurrence of `search` replaced (the api service comes after the worker). */
function replaceLast(text: string, search: string, replacement: string): string {
  const at = text.lastIndexOf(search);
  return at < 0 ? text : `${text.slice(0, at)}${replacement}${text.slice(at + search.length)}`;
}

/** A copy of the project with one file edited. */
function brokenCopy(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-check-'));
  copies.push(dir);
  cpSync(projectRoot, dir, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(source.slice(projectRoot.length + 1).split('/')[0] ?? ''),
  });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, `the edit of ${file} changed nothing`);
  writeFileSync(path, after);
  return dir;
}

describe('the deploy check', () => {
  it('passes on the repository, from the command line', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/checkDeploy.ts'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /deploy check: \d+ files agree with the code/);
  });

  it('fails from the command line, naming the file and the metric, on a dashboard with an unknown metric', () => {
    const root = brokenCopy('deploy/grafana/dashboards/llm-cost.json', (t) =>
      t.replaceAll('llm_request_cost_by_caller_dollars', 'llm_cost_by_caller_dollars'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/checkDeploy.ts', root], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /llm-cost\.json: panel "Cost per caller": unknown metric llm_cost_by_caller_dollars/,
    );
    assert.match(run.stderr, /no dashboard shows llm_request_cost_by_caller_dollars/);
  });

  const drifts: [string, string, (text: string) => string, RegExp][] = [
    [
      'Prometheus scraping the worker on a port it does not serve',
      'deploy/prometheus/prometheus.yml',
      (t) => t.replace('port: 8000', 'port: 8080'),
      /scrapes worker:8080, a port worker does not expose[\s\S]*no job scrapes the worker's worker:8000/,
    ],
    [
      'the worker serving on another port than the one scraped',
      'docker-compose.yml',
      (t) => t.replace('WORKER_HTTP_PORT: "8000"', 'WORKER_HTTP_PORT: "8001"'),
      /WORKER_HTTP_PORT 8001 is not in expose\/ports/,
    ],
    [
      'a readiness probe on a path the server does not route',
      'deploy/k8s/deployment.yaml',
      (t) => t.replace('path: /health/ready', 'path: /ready'),
      /readinessProbe must GET \/health\/ready on port 8000/,
    ],
    [
      'a search attribute left out of the compose stack',
      'docker-compose.yml',
      (t) => t.replace(/^.*--name LlmCaller.*\n/m, ''),
      /search attribute LlmCaller is not registered/,
    ],
    [
      'a search attribute registered with the wrong type',
      'docker-compose.yml',
      (t) => t.replace('--name LlmCostUsd --type Double', '--name LlmCostUsd --type Int'),
      /LlmCostUsd is registered as Int, not Double/,
    ],
    [
      'two search attributes in one create command (the CLI registers only the first)',
      'docker-compose.yml',
      (t) =>
        t.replace('--name LlmVariant --type Keyword', '--name LlmVariant --name LlmModel --type Keyword'),
      /one --name per search-attribute create/,
    ],
    [
      "an autoscaler that is not the design's",
      'deploy/k8s/hpa.yaml',
      (t) => t.replace('averageUtilization: 70', 'averageUtilization: 75'),
      /hpa\.yaml: differs from the design's autoscaling/,
    ],
    [
      'an API key written into the secret manifest',
      'deploy/k8s/secret.example.yaml',
      (t) => t.replace('openai: ""', 'openai: "sk-test"'),
      /secret key openai has a value in the repository/,
    ],
    [
      'an image that does not expose the SDK metrics port',
      'Dockerfile',
      (t) => t.replace(/^EXPOSE (.*) 9464$/m, 'EXPOSE $1'),
      /Dockerfile: does not EXPOSE 9464/,
    ],
    [
      'a worker import of a devDependency while the image omits them',
      'cli/main.ts',
      (t) => `import '@temporalio/testing';\n${t}`,
      /imports @temporalio\/testing, a devDependency/,
    ],
    [
      'a latency quantile not summed by le',
      'deploy/grafana/dashboards/llm-performance.json',
      (t) => t.replace('sum by (le, task_type, model)', 'sum by (task_type, model)'),
      /histogram_quantile needs a _bucket series summed by \(le/,
    ],
    [
      'the HTTP API missing from the compose stack',
      'docker-compose.yml',
      (t) => t.replace(/^ {4}command: \["node", "bin\/llm-orchestrator\.js", "serve"\]\n/m, ''),
      /expected one service running the HTTP API \(llm-orchestrator serve\), found 0/,
    ],
    [
      'an API that listens only inside its container',
      'docker-compose.yml',
      (t) => t.replace(/^ {6}API_HOST: 0\.0\.0\.0\n/m, ''),
      /service api: listens on 127\.0\.0\.1, unreachable from outside its container; set API_HOST: 0\.0\.0\.0/,
    ],
    [
      'an API on another task queue than the worker',
      'docker-compose.yml',
      (t) => replaceLast(t, 'LLM_TASK_QUEUE: llm-requests', 'LLM_TASK_QUEUE: llm-api'),
      /service api: LLM_TASK_QUEUE is "llm-api", the worker's is "llm-requests"; both must be the same/,
    ],
    [
      'payload keys passed to the worker but not to the API',
      'docker-compose.yml',
      (t) => replaceLast(t, '      PAYLOAD_ENCRYPTION_KEY:\n', ''),
      /service api: PAYLOAD_ENCRYPTION_KEY is not set, the worker's is passed from the host/,
    ],
    [
      'an API built into another image than the worker',
      'docker-compose.yml',
      (t) => replaceLast(t, 'image: llm-orchestrator:local', 'image: llm-orchestrator-api:local'),
      /service api: image llm-orchestrator-api:local is not the worker's llm-orchestrator:local/,
    ],
    [
      'the API and the Temporal UI on one host port',
      'docker-compose.yml',
      (t) => t.replace('"8233:8080"', '"8080:8080"'),
      /host port 8080 is published by both temporal-ui and api/,
    ],
    [
      "an API healthcheck on the worker's port",
      'docker-compose.yml',
      (t) => replaceLast(t, "127.0.0.1:8080/health'", "127.0.0.1:8000/health'"),
      /service api: healthcheck does not call \/health on port 8080/,
    ],
    [
      'Prometheus not scraping the API',
      'deploy/prometheus/prometheus.yml',
      (t) => t.replace(/ {2}- job_name: llm-api\n(?: {4}.*\n)+/, ''),
      /no job scrapes the API's api:8080/,
    ],
    [
      "an API readiness probe on the worker's port",
      'deploy/k8s/api-deployment.yaml',
      (t) => t.replace(/(path: \/health\/ready\n\s+port:) http/, '$1 8000'),
      /api-deployment\.yaml: readinessProbe must GET \/health\/ready on the API's port 8080, not \/health\/ready on 8000/,
    ],
    [
      "an API Deployment reading another setting than the worker's",
      'deploy/k8s/api-deployment.yaml',
      (t) => t.replace('key: task_queue', 'key: log_level'),
      /api-deployment\.yaml: env LLM_TASK_QUEUE differs from the worker's \(deploy\/k8s\/deployment\.yaml\)/,
    ],
    [
      'an API Deployment that no Service selects',
      'deploy/k8s/api-service.yaml',
      (t) => t.replace(/(selector:\n\s+app:) llm-orchestrator-api/, '$1 api-gateway'),
      /api-deployment\.yaml: no Service selects the pods of Deployment llm-orchestrator-api/,
    ],
    [
      'a file that is not valid YAML',
      'deploy/grafana/provisioning/datasources/prometheus.yaml',
      (t) => `${t}\n  - [unclosed\n`,
      /prometheus\.yaml: not valid YAML/,
    ],
  ];
  for (const [drift, file, edit, message] of drifts) {
    it(`reports ${drift}`, async () => {
      const { problems } = await checkDeploy(brokenCopy(file, edit));
      assert.match(problems.join('\n'), message);
    });
  }
});
