// The HTTP API's OpenAPI 3.1 document (GET /openapi.json): valid against the OpenAPI 3.1 schema, and
// listing every route the server registered, each with its request and response schemas.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { StaticKeyStore } from '../api/keys.js';
import { DOCS_PREFIX, OPENAPI_PATH } from '../api/openapi.js';
import { createApiServer } from '../api/server.js';
import { OrchestratorClient } from '../client/client.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { templatesDir } from '../workers/config.js';

interface Operation {
  parameters?: { in: string; name: string; schema?: object }[];
  requestBody?: { content: Record<string, { schema?: object }> };
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}
type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** Every `METHOD /path` the server answers, read from Fastify's route tree (HEAD is implied by GET). */
function registeredRoutes(tree: string): string[] {
  const routes: string[] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    prefixes.length = depth;
    const path = `${prefixes.join('')}${match[2]}`;
    prefixes.push(match[2] ?? '');
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD'))
      routes.push(`${method} ${path}`);
  }
  return routes;
}

describe('OpenAPI document', () => {
  let app: FastifyInstance;
  let doc: OpenApiDocument;
  before(async () => {
    const catalog = loadModelCatalog();
    const routing = loadRoutingTable(catalog);
    // The document needs no server: a lazy connection that is never used.
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:7233' }) });
    app = await createApiServer({
      client: new OrchestratorClient({ client: temporal, taskQueue: 'openapi' }),
      keys: new StaticKeyStore([]),
      templates: await loadTemplateRegistry(templatesDir()),
      catalog: () => catalog,
      routing: () => routing,
      logger: false,
    });
    await app.ready();
    const response = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    assert.equal(response.statusCode, 200);
    doc = response.json();
  });
  after(async () => {
    await app?.close();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    assert.match(doc.openapi, /^3\.1\./);
    const result = await new Validator().validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('lists every registered route with its request and response schemas', () => {
    const routes = registeredRoutes(app.printRoutes({ commonPrefix: false })).filter(
      (route) => !route.includes(` ${DOCS_PREFIX}`) && !route.endsWith(` ${OPENAPI_PATH}`),
    );
    assert.ok(routes.includes('POST /v1/chat/completions'), routes.join('\n'));
    assert.ok(routes.length >= 11, routes.join('\n'));
    for (const route of routes) {
      const [method = '', path = ''] = route.split(' ');
      const operation = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      assert.ok(operation, `${route} is not in the document`);
      for (const param of path.match(/:(\w+)/g) ?? []) {
        const named = operation.parameters?.find((p) => p.in === 'path' && p.name === param.slice(1));
        assert.ok(named?.schema, `${route}: path parameter ${param} has no schema`);
      }
      if (method === 'POST' && !route.endsWith('/cancel')) {
        assert.ok(operation.requestBody?.content['application/json']?.schema, `${route}: no request schema`);
      }
      const answers = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));
      assert.ok(answers.length, `${route}: no success response`);
      for (const [status, answer] of answers) {
        const schemas = Object.values(answer.content ?? {}).map((c) => c.schema);
        assert.ok(schemas.length && schemas.every(Boolean), `${route} ${status}: no response schema`);
      }
    }
  });

  it('documents the OpenAI-compatible chat completion: its body, its answer and its errors', () => {
    const operation = doc.paths['/v1/chat/completions']?.post;
    const body = operation?.requestBody?.content['application/json']?.schema as { required?: string[] };
    assert.deepEqual(body.required, ['model', 'messages']);
    const ok = operation?.responses?.['200']?.content;
    assert.ok(ok?.['application/json']?.schema && ok['text/event-stream']?.schema);
    assert.ok(operation?.responses?.['4XX'] ?? operation?.responses?.['4xx'], 'no 4xx answer');
  });

  it('serves the browsable documentation at /docs', async () => {
    const page = await app.inject({ method: 'GET', url: `${DOCS_PREFIX}/` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
  });
});
