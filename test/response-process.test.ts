import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestratorError } from '../common/errors.js';
import type { JsonSchema } from '../common/request.js';
import { processResponse } from '../core/response/process.js';
import { regexExtract } from '../core/response/regex.js';
import { repairErrors, repairPrompt } from '../core/response/repair.js';
import {
  ANY_TASK,
  createDefaultValidators,
  type ResponseValidator,
  ValidatorRegistry,
} from '../core/response/validators.js';

const PERSON: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer' },
    // The seed reads a property with its pattern's first group; the value then still matches it.
    ticket: { type: 'string', pattern: '([A-Z]{2,}-\\d+)' },
  },
  required: ['name', 'age'],
};

interface Details {
  reasons: string[];
  validationErrors: string[];
  format: string;
}

/** Runs `run`, asserts it throws InvalidResponseError, and returns the error's details. */
function refusal(run: () => unknown): { message: string; details: Details } {
  try {
    run();
  } catch (error) {
    const failure = error as OrchestratorError;
    assert.equal(failure.name, 'InvalidResponseError', failure.message);
    return { message: failure.message, details: failure.errorDetails as unknown as Details };
  }
  assert.fail('expected an InvalidResponseError');
}

describe('processResponse', () => {
  it('returns text unchanged by default', () => {
    assert.deepEqual(processResponse({ text: ' Hi! ', taskType: 'general_qa' }), {
      output: ' Hi! ',
      format: 'text',
      regexFallback: false,
    });
  });

  it('extracts JSON for the json format', () => {
    const result = processResponse({
      text: '```json\n{"a": 1}\n```',
      taskType: 'general_qa',
      outputFormat: 'json',
    });
    assert.deepEqual(result, { output: { a: 1 }, format: 'json', regexFallback: false });
  });

  it('extracts code with every block for the code format', () => {
    const text = '```sh\nnpm test\n```\n```typescript\nconst x = 1;\n```';
    const result = processResponse({
      text,
      taskType: 'code_generation',
      outputFormat: 'code',
      codeLanguage: 'ts',
    });
    assert.equal(result.output, 'const x = 1;');
    assert.equal(result.codeLanguage, 'typescript');
    assert.equal(result.codeBlocks?.length, 2);
  });

  it('normalises Markdown for the markdown format', () => {
    const result = processResponse({
      text: '# T\r\n',
      taskType: 'documentation_generation',
      outputFormat: 'markdown',
    });
    assert.equal(result.output, '# T');
  });

  it('validates JSON against the schema', () => {
    const result = processResponse({
      text: 'Here: {"name": "Ada", "age": 36}',
      taskType: 'x',
      schema: PERSON,
    });
    assert.deepEqual(result, { output: { name: 'Ada', age: 36 }, format: 'schema', regexFallback: false });
    // A schema applies to the json format too.
    assert.equal(
      processResponse({
        text: '{"name": "Ada", "age": 36}',
        taskType: 'x',
        outputFormat: 'json',
        schema: PERSON,
      }).format,
      'schema',
    );
  });

  it('refuses JSON that does not match the schema, with the errors as details', () => {
    const { message, details } = refusal(() =>
      processResponse({ text: '{"name": "Ada", "age": "old"}', taskType: 'x', schema: PERSON }),
    );
    assert.match(message, /\/age: must be integer/);
    assert.deepEqual(details.validationErrors, ['/age: must be integer (got "old")']);
    assert.equal(details.format, 'schema');
  });

  it('says why when there is no JSON at all', () => {
    const { details } = refusal(() => processResponse({ text: 'No idea.', taskType: 'x', schema: PERSON }));
    assert.deepEqual(details.reasons, ['no JSON object or array found in the answer']);
    assert.deepEqual(details.validationErrors, []);
  });

  it('falls back to regex extraction when allowed, and marks it', () => {
    const text = 'Name: Ada Lovelace\nAge: 36\nShe filed ticket #ENG-42 yesterday.';
    const result = processResponse({ text, taskType: 'x', schema: PERSON, allowRegexFallback: true });
    assert.equal(result.regexFallback, true);
    assert.deepEqual(result.output, { name: 'Ada Lovelace', age: 36, ticket: 'ENG-42' });
    assert.equal(result.warnings, undefined);
  });

  it('accepts a regex result that has the required properties, with warnings for the rest', () => {
    const text = 'name: Ada\nage: thirty-six';
    const result = processResponse({ text, taskType: 'x', schema: PERSON, allowRegexFallback: true });
    assert.equal(result.regexFallback, true);
    assert.deepEqual(result.warnings, ['/age: must be integer (got "thirty-six")']);
  });

  it('refuses a regex result that misses required properties', () => {
    const { details } = refusal(() =>
      processResponse({ text: 'name: Ada', taskType: 'x', schema: PERSON, allowRegexFallback: true }),
    );
    assert.deepEqual(details.reasons, [
      'no JSON object or array found in the answer',
      'the regex fallback did not find the required properties age',
    ]);
  });

  it('runs the task validators before format processing', () => {
    const { message, details } = refusal(() =>
      processResponse({
        text: 'I would rather not write that.',
        taskType: 'code_generation',
        outputFormat: 'code',
      }),
    );
    assert.match(message, /code_generation checks/);
    assert.match(details.reasons[0] ?? '', /contains no code/);
    assert.deepEqual(refusal(() => processResponse({ text: '  ', taskType: 'general_qa' })).details.reasons, [
      'The answer is empty; answer the request.',
    ]);
  });

  it('uses the validators it is given', () => {
    const noApologies: ResponseValidator = {
      name: 'no-apologies',
      validate: (text) => (/sorry/i.test(text) ? ['Do not apologise; answer.'] : []),
    };
    const validators = createDefaultValidators().register('general_qa', noApologies);
    const { details } = refusal(() =>
      processResponse({ text: 'Sorry!', taskType: 'general_qa', validators }),
    );
    assert.deepEqual(details.reasons, ['Do not apologise; answer.']);
    assert.equal(processResponse({ text: 'Sorry!', taskType: 'other', validators }).output, 'Sorry!');
  });
});

describe('ValidatorRegistry', () => {
  it("runs the validators for every task first, then the task type's own", () => {
    const registry = new ValidatorRegistry()
      .register('code_generation', { name: 'second', validate: () => ['second'] })
      .register(ANY_TASK, { name: 'first', validate: () => ['first'] });
    assert.deepEqual(registry.validate('code_generation', 'x'), {
      valid: false,
      issues: ['first', 'second'],
    });
    assert.deepEqual(registry.validate('other', 'x'), { valid: false, issues: ['first'] });
    assert.deepEqual(new ValidatorRegistry().validate('any', ''), { valid: true, issues: [] });
  });

  it('ships non-empty and contains-code checks', () => {
    const defaults = createDefaultValidators();
    assert.equal(defaults.validate('code_generation', '```py\nprint(1)\n```').valid, true);
    assert.equal(defaults.validate('code_generation', 'def f(x):\n    return x').valid, true);
    assert.equal(defaults.validate('code_generation', 'Here is an explanation only.').valid, false);
    assert.equal(defaults.validate('general_qa', 'Here is an explanation only.').valid, true);
    assert.equal(defaults.validate('general_qa', '').valid, false);
  });
});

describe('regexExtract', () => {
  it('uses a property pattern with a capture group, else a name: value line', () => {
    const text = '**Name**: "Grace",\nAGE 85\nrename: nobody\nticket ABC-1';
    assert.deepEqual(regexExtract(text, PERSON), { name: 'Grace', age: '85', ticket: 'ABC-1' });
  });

  it('ignores invalid patterns and schemas without properties', () => {
    assert.deepEqual(regexExtract('x: 1', { properties: { x: { pattern: '([' } } }), { x: '1' });
    assert.deepEqual(regexExtract('x: 1', { type: 'string' }), {});
  });
});

describe('repairPrompt', () => {
  it('lists the errors, restates the schema compactly and asks for only the JSON', () => {
    const prompt = repairPrompt(
      ['/age: must be integer (got "old")', '/age: must be integer (got "old")'],
      'schema',
      PERSON,
    );
    assert.equal(
      prompt,
      [
        'Your previous answer could not be used:',
        '- /age: must be integer (got "old")',
        '',
        'Answer again with only the corrected JSON: no explanation and no Markdown code fence.',
        'It must be valid JSON (double-quoted keys and strings, no trailing commas, no comments) that matches this JSON Schema:',
        JSON.stringify(PERSON),
      ].join('\n'),
    );
    assert.equal(repairPrompt(['x'], 'json', PERSON), repairPrompt(['x'], 'schema', PERSON));
  });

  it('asks for code in a fenced block for code answers', () => {
    assert.match(repairPrompt(['The answer contains no code.'], 'code'), /single fenced code block/);
    assert.match(repairPrompt([], 'text'), /- the answer could not be processed/);
  });

  it('takes the errors from a processResponse refusal', () => {
    try {
      processResponse({ text: '{"name": 1, "age": 2}', taskType: 'x', schema: PERSON });
      assert.fail('expected a refusal');
    } catch (error) {
      assert.deepEqual(repairErrors(error), ['/name: must be string (got 1)']);
    }
    assert.deepEqual(repairErrors(new Error('boom')), ['boom']);
  });
});
