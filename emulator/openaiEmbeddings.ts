import type { FastifyInstance } from 'fastify';
import { openaiAuthError } from './auth.js';
import { DEFAULT_EMBEDDING_DIMENSIONS, embedText, toBase64Float32 } from './embeddings.js';
import { Exchange } from './exchange.js';
import { openaiError } from './openaiErrors.js';
import { admit } from './pipeline.js';
import { InvalidRequest, isObject, modelOf, positiveInteger, tryParse } from './requestFields.js';
import type { EmulatorState } from './state.js';
import { estimateTokens } from './tokens.js';

interface EmbeddingRequest {
  model: string;
  inputs: string[];
  dimensions: number;
  base64: boolean;
}

/** POST /v1/embeddings: deterministic unit vectors, float or base64 (the openai client's default). */
export function registerOpenAiEmbeddings(app: FastifyInstance, state: EmulatorState): void {
  app.post('/v1/embeddings', async (request, reply) => {
    const { value: parsed, invalid } = tryParse(() => parseEmbeddingRequest(request.body));
    const model = modelOf(request.body);
    const ex = new Exchange(request, reply, state.calls, {
      provider: 'openai',
      model,
      path: '/v1/embeddings',
      stream: false,
    });
    const sizes = parsed?.inputs.map(estimateTokens) ?? [];
    const promptTokens = sizes.reduce((a, b) => a + b, 0);
    const go = await admit(ex, state, {
      provider: 'openai',
      dialect: openaiError,
      model,
      authError: openaiAuthError(request.headers, state.keys),
      invalid,
      promptTokens,
      contextTokens: Math.max(0, ...sizes),
    });
    if (!go || !parsed) return;
    const data = parsed.inputs.map((text, index) => {
      const vector = embedText(text, parsed.dimensions);
      return { object: 'embedding', index, embedding: parsed.base64 ? toBase64Float32(vector) : vector };
    });
    ex.setTokens(promptTokens, 0);
    ex.sendJson(200, {
      object: 'list',
      data,
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  });
}

function parseEmbeddingRequest(body: unknown): EmbeddingRequest {
  if (!isObject(body)) throw new InvalidRequest('We could not parse the JSON body of your request.');
  const model = modelOf(body);
  if (!model) throw new InvalidRequest('you must provide a model parameter', 'model');
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw new InvalidRequest(
      "Invalid value for 'encoding_format': expected 'float' or 'base64'.",
      'encoding_format',
    );
  }
  return {
    model,
    inputs: parseInputs(body.input),
    dimensions: positiveInteger(body.dimensions, 'dimensions') ?? DEFAULT_EMBEDDING_DIMENSIONS,
    base64: format === 'base64',
  };
}

/** Accepts every input shape OpenAI does: a string, strings, a token array, token arrays. */
function parseInputs(input: unknown): string[] {
  const isTokens = (x: unknown): boolean => Array.isArray(x) && x.every((n) => typeof n === 'number');
  if (typeof input === 'string') return [input];
  if (isTokens(input) && Array.isArray(input) && input.length > 0) return [JSON.stringify(input)];
  if (Array.isArray(input) && input.length > 0) {
    return input.map((item, i) => {
      if (typeof item === 'string') return item;
      if (isTokens(item)) return JSON.stringify(item);
      throw new InvalidRequest(
        `Invalid type for 'input[${i}]': expected a string or an array of tokens.`,
        'input',
      );
    });
  }
  throw new InvalidRequest("'input' must be a non-empty string or array.", 'input');
}
