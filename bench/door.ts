// The HTTP door as `npm start` serves it (POST /v1/requests?wait=true), in this process over a given
// orchestrator client, with one key: what the overhead and SQLite benchmarks send their door requests
// through.
import { hashKey, StaticKeyStore } from '../api/keys.js';
import { createApiServer } from '../api/server.js';
import type { OrchestratorClient } from '../client/client.js';
import type { LlmRequest } from '../common/request.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import type { TemplateRegistry } from '../core/templates/index.js';

/** The caller the door's key names; other paths send it too, so that only the door differs. */
export const DOOR_CALLER = 'bench';

export interface Door {
  /** Sends the request through the door and waits for its answer; the workflow id from the response. */
  send(request: LlmRequest): Promise<{ workflowId?: string }>;
  close(): Promise<void>;
}

export async function startDoor(client: OrchestratorClient, templates: TemplateRegistry): Promise<Door> {
  const key = 'bench-door-key';
  const catalog = loadModelCatalog();
  const routing = loadRoutingTable(catalog);
  const server = await createApiServer({
    client,
    keys: new StaticKeyStore([{ keyHash: hashKey(key), caller: DOOR_CALLER }]),
    templates,
    catalog: () => catalog,
    routing: () => routing,
    logger: false,
  });
  const url = `${await server.listen({ port: 0, host: '127.0.0.1' })}/v1/requests?wait=true`;
  return {
    async send(request) {
      // The door takes the caller from the key and makes its own request id.
      const { requestId: _id, caller: _caller, ...body } = request;
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
      const workflowId = response.headers.get('x-request-id') ?? undefined;
      return workflowId ? { workflowId } : {};
    },
    close: () => server.close(),
  };
}
