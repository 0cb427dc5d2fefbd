// Pieces the doors' body schemas share. The doors are lenient like the APIs they copy: unknown fields
// (user, seed, metadata, …) are accepted and ignored; the fields we read are checked as sent.
import { toolNameSchema as requestToolName } from '../../common/requestSchema.js';

/** The value, or null (OpenAI's clients send null for "not set"). */
export const nullable = (schema: Record<string, unknown>): Record<string, unknown> => ({
  anyOf: [schema, { type: 'null' }],
});

/** A tool's name as both providers accept it. */
export const toolNameSchema = requestToolName;

/** A JSON Schema for a tool's parameters or a structured output: an object; ajv checks it later. */
export const jsonSchemaSchema = { type: 'object' } as const;
