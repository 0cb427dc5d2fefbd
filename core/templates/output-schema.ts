// A template's output schema is checked when the template loads, so a broken schema is a problem
// an operator sees in `templates check`, not a failure of the first request that uses it.
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport, { type FormatsPlugin } from 'ajv-formats';
import type { JsonSchema } from '../../common/request.js';

// ajv-formats is CommonJS whose module.exports is the plugin; NodeNext typing sees only `.default`.
const addFormats = addFormatsImport as unknown as FormatsPlugin;

// strict: false because annotation keywords a validator does not know are harmless in a template.
const draft07 = addFormats(new Ajv({ strict: false, logger: false }));
const draft2020 = addFormats(new Ajv2020({ strict: false, logger: false }));

/** Undefined when the schema compiles, else why it does not. */
export function outputSchemaError(schema: JsonSchema): string | undefined {
  const ajv = String(schema.$schema ?? '').includes('2020-12') ? draft2020 : draft07;
  try {
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    // ajv caches compiled schemas (and claims their $id); drop it so a reload can bring a changed one.
    ajv.removeSchema(schema);
  }
}
