// The codec server the Temporal UI and CLI call: /encode and /decode round-trip a payload in the
// protocol's JSON (base64 fields), a request without the bearer token is refused, and CORS answers
// only the configured UI origin.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { codecServerCommand, corsOriginsFromEnv } from '../cli/codecServer.js';
import { createCodecServer, payloadCodecsFromEnv } from '../codec/index.js';

const TOKEN = 'codec-test-token';
const UI = 'http://localhost:8233';
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const unb64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString();

const claimDir = mkdtempSync(join(tmpdir(), 'codec-server-'));
const codecs = payloadCodecsFromEnv({
  PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  PAYLOAD_ENCRYPTION_KEY_ID: 'ui-key',
  CLAIM_CHECK_DIR: claimDir,
  CLAIM_CHECK_THRESHOLD_BYTES: '1024',
});
let app: FastifyInstance;
let url: string;

before(async () => {
  app = createCodecServer({ codecs, token: TOKEN, corsOrigins: [UI] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app?.close();
  rmSync(claimDir, { recursive: true, force: true });
});

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

async function post(
  path: string,
  payloads: JsonPayload[],
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Promise<{ status: number; body: { payloads?: JsonPayload[]; message?: string } }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify({ payloads }),
  });
  return { status: response.status, body: (await response.json()) as { payloads?: JsonPayload[] } };
}

describe('codec server', () => {
  it('round-trips payloads through /encode and /decode, small ones encrypted and large ones claimed', async () => {
    const small = { metadata: { encoding: b64('json/plain') }, data: b64('{"prompt":"hello ocelot"}') };
    const large = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify('x'.repeat(5000))) };
    const encoded = await post('/encode', [small, large]);
    assert.equal(encoded.status, 200);
    const [sealed, claimed] = encoded.body.payloads ?? [];
    assert.equal(unb64(sealed?.metadata?.encoding), 'binary/encrypted');
    assert.equal(unb64(sealed?.metadata?.['encryption-key-id']), 'ui-key');
    assert.ok(!unb64(sealed?.data).includes('ocelot'));
    assert.equal(unb64(claimed?.metadata?.encoding), 'binary/claim-check');

    const decoded = await post('/decode', encoded.body.payloads ?? []);
    assert.equal(decoded.status, 200);
    assert.deepEqual(decoded.body.payloads, [small, large]);
  });

  it('refuses a request without the token, or with another one, before decoding anything', async () => {
    const payload = { metadata: { encoding: b64('json/plain') }, data: b64('1') };
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const refused = await post('/decode', [payload], headers);
      assert.equal(refused.status, 401, JSON.stringify(headers));
      assert.equal(refused.body.payloads, undefined);
      assert.match(refused.body.message ?? '', /Bearer/);
    }
  });

  it('names the key a payload needs when it was encrypted with one the server does not have', async () => {
    const foreign = payloadCodecsFromEnv({
      PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PAYLOAD_ENCRYPTION_KEY_ID: 'other-team',
    });
    const [sealed] = await (foreign[0]?.encode([
      {
        metadata: { encoding: new Uint8Array(Buffer.from('json/plain')) },
        data: new Uint8Array(Buffer.from('1')),
      },
    ]) ?? []);
    const body = {
      metadata: Object.fromEntries(
        Object.entries(sealed?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(sealed?.data ?? []).toString('base64'),
    };
    const failed = await post('/decode', [body]);
    assert.equal(failed.status, 500);
    assert.match(failed.body.message ?? '', /key "other-team".*PAYLOAD_DECRYPTION_KEYS/);
  });

  it('answers the UI origin’s preflight with CORS headers, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const allowed = await preflight(UI);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), UI);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    const other = await preflight('https://evil.example');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('takes its UI origins from CODEC_SERVER_CORS_ORIGINS, the dev server UI by default', () => {
    assert.deepEqual(corsOriginsFromEnv({}), [UI]);
    assert.deepEqual(
      corsOriginsFromEnv({ CODEC_SERVER_CORS_ORIGINS: 'https://ui.example/, http://localhost:8080' }),
      ['https://ui.example', 'http://localhost:8080'],
    );
  });

  it('the codec-server command will not start without CODEC_SERVER_TOKEN', async () => {
    const saved = process.env.CODEC_SERVER_TOKEN;
    delete process.env.CODEC_SERVER_TOKEN;
    try {
      await assert.rejects(
        codecServerCommand().parseAsync(['--port', '0'], { from: 'user' }),
        /CODEC_SERVER_TOKEN is not set/,
      );
    } finally {
      if (saved !== undefined) process.env.CODEC_SERVER_TOKEN = saved;
    }
  });
});
