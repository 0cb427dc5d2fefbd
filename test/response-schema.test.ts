import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonSchema } from '../common/request.js';
import { compiledSchemaCount, compileSchema, validateAgainstSchema } from '../core/response/schema.js';

const TASKS: JsonSchema = {
  type: 'object',
  properties: {
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1 },
          complexity: { enum: ['low', 'medium', 'high'] },
          due: { type: 'string', format: 'date-time' },
          owner: { type: 'string', format: 'email' },
        },
        required: ['title', 'complexity'],
        additionalProperties: false,
      },
    },
  },
  required: ['tasks'],
};

function assertInvalidSchema(schema: unknown, pattern: RegExp): void {
  assert.throws(
    () => compileSchema(schema as JsonSchema),
    (error: Error) => error.name === 'InvalidSchemaError' && pattern.test(error.message),
  );
}

describe('JSON Schema validation', () => {
  it('accepts valid data (draft-07 by default) with formats checked', () => {
    const data = {
      tasks: [{ title: 'a', complexity: 'low', due: '2026-01-01T10:00:00Z', owner: 'ada@example.com' }],
    };
    assert.deepEqual(validateAgainstSchema(TASKS, data), { valid: true, errors: [] });
    assert.equal(compileSchema(TASKS).dialect, 'draft-07');
  });

  it('reports every error as a readable line with its path', () => {
    const data = {
      tasks: [{ title: 'a', complexity: 'extreme', due: 'tomorrow', owner: 'ada', extra: 1 }, { title: 2 }],
    };
    assert.deepEqual(compileSchema(TASKS).validate(data), [
      '/tasks/0: must NOT have the additional property "extra"',
      '/tasks/0/complexity: must be equal to one of the allowed values (low, medium, high) (got "extreme")',
      '/tasks/0/due: must match format "date-time" (got "tomorrow")',
      '/tasks/0/owner: must match format "email" (got "ada")',
      "/tasks/1: must have required property 'complexity'",
      '/tasks/1/title: must be string (got 2)',
    ]);
    assert.deepEqual(compileSchema(TASKS).validate([]), ['(root): must be object (got [])']);
  });

  it('uses the 2020-12 dialect when $schema says so', () => {
    const schema: JsonSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'integer' }, { type: 'string', format: 'email' }],
      items: false,
    };
    const compiled = compileSchema(schema);
    assert.equal(compiled.dialect, '2020-12');
    assert.deepEqual(compiled.validate([1, 'a@b.co']), []);
    assert.deepEqual(compiled.validate([1, 'nope']), ['/1: must match format "email" (got "nope")']);
    assert.deepEqual(compiled.validate([1, 'a@b.co', 3]), ['(root): must NOT have more than 2 items']);
  });

  it('compiles each distinct schema once, whatever its key order', () => {
    const first = compileSchema({ type: 'string', maxLength: 3 });
    const count = compiledSchemaCount();
    assert.equal(compileSchema({ maxLength: 3, type: 'string' }), first);
    assert.equal(compileSchema(structuredClone({ type: 'string', maxLength: 3 })), first);
    assert.equal(compiledSchemaCount(), count);
    assert.notEqual(compileSchema({ type: 'string', maxLength: 4 }), first);
  });

  it('lets a schema with the same $id change (a new template version)', () => {
    assert.deepEqual(compileSchema({ $id: 'urn:test:answer', type: 'string' }).validate(1), [
      '(root): must be string (got 1)',
    ]);
    assert.deepEqual(compileSchema({ $id: 'urn:test:answer', type: 'number' }).validate(1), []);
  });

  it('coerces prose strings to the schema types when asked', () => {
    const schema: JsonSchema = { type: 'object', properties: { count: { type: 'integer' } } };
    const data = { count: '5' };
    assert.deepEqual(compileSchema(schema, { coerceTypes: true }).validate(data), []);
    assert.deepEqual(data, { count: 5 });
    assert.equal(compileSchema(schema).validate({ count: '5' }).length, 1);
  });

  it("throws InvalidSchemaError with ajv's explanation for an invalid schema", () => {
    assertInvalidSchema({ type: 'strng' }, /^Invalid JSON Schema: schema is invalid: data\/type must be/);
    assertInvalidSchema({ type: 'object', requried: ['a'] }, /unknown keyword: "requried"/);
    assertInvalidSchema({ type: 'string', format: 'date_time' }, /unknown format "date_time"/);
    assertInvalidSchema({ $schema: 'http://json-schema.org/draft-04/schema#' }, /Unsupported \$schema/);
    assertInvalidSchema([], /must be an object/);
  });
});
