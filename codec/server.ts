// The codec server the Temporal UI and CLI call to show encrypted payloads decrypted to those allowed
// (Temporal's codec server protocol): POST /encode and POST /decode take and return
// `{ payloads: [...] }` in proto3 JSON. Every POST needs `Authorization: Bearer <token>`; browsers
// get CORS headers only for the configured UI origins.
import { timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type JsonPayload, payloadFromJson, payloadToJson } from './jsonPayloads.js';

export interface CodecServerOptions {
  /** In encode order, as in a DataConverter's `payloadCodecs`. */
  codecs: readonly PayloadCodec[];
  /** The bearer token every request must present. */
  token: string;
  /** Browser origins allowed to call (the Temporal UI's), e.g. http://localhost:8233. */
  corsOrigins: readonly string[];
  bodyLimitBytes?: number;
  logger?: boolean;
}

interface PayloadsBody {
  payloads: JsonPayload[];
}

const payloadsSchema = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
          data: { type: 'string' },
        },
      },
    },
  },
} as const;

function sameToken(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function encodeWith(codecs: readonly PayloadCodec[], payloads: Payload[]): Promise<Payload[]> {
  let result = payloads;
  for (const codec of codecs) result = await codec.encode(result);
  return result;
}

export async function decodeWith(codecs: readonly PayloadCodec[], payloads: Payload[]): Promise<Payload[]> {
  let result = payloads;
  for (const codec of [...codecs].reverse()) result = await codec.decode(result);
  return result;
}

export function createCodecServer(options: CodecServerOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
  });
  const origins = new Set(options.corsOrigins);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'Content-Type, X-Namespace, Authorization');
      reply.header('access-control-max-age', '600');
    }
    // A browser's preflight carries no credentials; it only learns whether it may ask.
    if (request.method === 'OPTIONS') return reply.code(204).send();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !sameToken(match[1], options.token))
      return reply
        .code(401)
        .send({ error: 'Unauthorized', message: 'send Authorization: Bearer <CODEC_SERVER_TOKEN>' });
  });
  app.options('*', async (_request, reply) => reply.code(204).send());

  const route = (transform: typeof encodeWith) => async (request: FastifyRequest<{ Body: PayloadsBody }>) => {
    const payloads = await transform(options.codecs, request.body.payloads.map(payloadFromJson));
    return { payloads: payloads.map(payloadToJson) };
  };
  app.post<{ Body: PayloadsBody }>('/encode', { schema: { body: payloadsSchema } }, route(encodeWith));
  app.post<{ Body: PayloadsBody }>('/decode', { schema: { body: payloadsSchema } }, route(decodeWith));

  // A payload that does not decode (unknown key id, missing claim) is named, never half-returned.
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) =>
    reply.code(error.statusCode ?? 500).send({ error: error.name, message: error.message }),
  );
  return app;
}
