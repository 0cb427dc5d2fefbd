// Rendering the shipped templates: exact messages, strictness, typed errors, versions.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  isMissingVariablesError,
  MissingVariablesError,
  TemplateNotFoundError,
  TemplateRenderError,
} from '../common/errors.js';
import { messageText } from '../common/messages.js';
import type { RenderedPrompt, RenderPromptInput } from '../common/prompt.js';
import { compareVersions, loadTemplateRegistry, type TemplateRegistry } from '../core/templates/index.js';

const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/** The original design's code_generation template, as its JSON spelled it. */
const SEED_CODE_SYSTEM =
  'You are an expert software developer with deep knowledge of software engineering principles, design patterns, and best practices. Your task is to generate high-quality, maintainable, and efficient code based on the requirements provided.';
const SEED_CODE_USER =
  'Please write code for the following requirement:\n\n{{ requirement }}\n\n{% if language %}Use {{ language }} programming language.{% endif %}\n\n{% if existing_code %}Here is some relevant existing code:\n\n```{{ language }}\n{{ existing_code }}\n```{% endif %}\n\n{% if coding_standards %}Follow these coding standards:\n{{ coding_standards }}{% endif %}\n\nThe code should be well-structured, include error handling, and be fully documented with comments.';

let registry: TemplateRegistry;

before(async () => {
  registry = await loadTemplateRegistry(TEMPLATES_DIR, { countTokens: (text) => text.length });
});

function render(
  templateId: string,
  variables: Record<string, unknown>,
  extra: Partial<RenderPromptInput> = {},
) {
  return registry.render({ requestId: 'req-1', templateId, variables, ...extra });
}

function userText(prompt: RenderedPrompt): string {
  const message = prompt.messages[1];
  return message ? messageText(message) : '';
}

function systemText(prompt: RenderedPrompt): string {
  const message = prompt.messages[0];
  return message ? messageText(message) : '';
}

describe('shipped templates', () => {
  it('all load without problems', () => {
    assert.deepEqual(registry.problems, []);
    assert.deepEqual(
      registry.list().map((s) => [s.id, s.versions, s.latest]),
      [
        ['bug_fixing', ['1.0'], '1.0'],
        ['chat', ['1.0'], '1.0'],
        ['code_generation', ['1.0'], '1.0'],
        ['conversation', ['1.0'], '1.0'],
        ['documentation_generation', ['1.0'], '1.0'],
        ['general_qa', ['1.0', '1.1'], '1.1'],
        ['requirement_breakdown', ['1.0'], '1.0'],
        ['summarize_context', ['1.0'], '1.0'],
      ],
    );
  });

  it('keeps the seed code_generation template word for word', () => {
    const template = registry.get('code_generation');
    assert.equal(template.systemMessage, SEED_CODE_SYSTEM);
    assert.equal(template.userMessageTemplate, SEED_CODE_USER);
    assert.deepEqual(template.requiredVariables, ['requirement']);
    assert.deepEqual(template.optionalVariables, {
      language: 'python',
      existing_code: '',
      coding_standards: 'PEP 8',
    });
    assert.deepEqual(template.metadata.recommendedModels, ['gpt-4', 'claude-2']);
  });
});

describe('code_generation', () => {
  it('renders with the defaults for optional variables', () => {
    const prompt = render('code_generation', { requirement: 'Parse a CSV file into a list of dicts.' });
    assert.deepEqual(prompt.messages, [
      { role: 'system', content: SEED_CODE_SYSTEM },
      {
        role: 'user',
        content:
          'Please write code for the following requirement:\n\nParse a CSV file into a list of dicts.\n\nUse python programming language.\n\n\n\nFollow these coding standards:\nPEP 8\n\nThe code should be well-structured, include error handling, and be fully documented with comments.',
      },
    ]);
    assert.deepEqual(prompt.tokenCounts, [SEED_CODE_SYSTEM.length, userText(prompt).length]);
    assert.equal(prompt.templateId, 'code_generation');
    assert.equal(prompt.version, '1.0');
    assert.equal(prompt.outputFormat, 'code');
    assert.equal(prompt.variant, undefined);
  });

  it('renders with every optional variable given', () => {
    const prompt = render('code_generation', {
      requirement: 'Add a retry to fetchUser.',
      language: 'typescript',
      existing_code: 'export async function fetchUser(id: string) {\n  return api.get(id);\n}',
      coding_standards: 'Biome defaults',
    });
    assert.equal(
      userText(prompt),
      'Please write code for the following requirement:\n\nAdd a retry to fetchUser.\n\nUse typescript programming language.\n\nHere is some relevant existing code:\n\n```typescript\nexport async function fetchUser(id: string) {\n  return api.get(id);\n}\n```\n\nFollow these coding standards:\nBiome defaults\n\nThe code should be well-structured, include error handling, and be fully documented with comments.',
    );
  });

  it('drops a section whose optional variable is set to an empty string', () => {
    const prompt = render('code_generation', { requirement: 'R', language: '', coding_standards: '' });
    assert.equal(
      userText(prompt),
      'Please write code for the following requirement:\n\nR\n\n\n\n\n\n\n\nThe code should be well-structured, include error handling, and be fully documented with comments.',
    );
  });
});

describe('requirement_breakdown', () => {
  const tail =
    'For each task give a short title, a description of what must be done, its complexity (low, medium or high) and the role best suited to do it (suggested_role). Then list the dependencies between tasks: a dependency means from_task must be finished before to_task can start; name both tasks by their exact title.\n\nRespond with a single JSON object and nothing else, in this shape:\n{"tasks": [{"title": "...", "description": "...", "complexity": "low|medium|high", "suggested_role": "..."}], "dependencies": [{"from_task": "...", "to_task": "..."}]}';

  it('renders the requirement alone and carries the seed output schema', () => {
    const prompt = render('requirement_breakdown', {
      requirement: 'Users can reset their password by email.',
    });
    assert.equal(
      systemText(prompt),
      'You are an experienced software architect and technical lead. You break software requirements down into concrete tasks that one person can deliver, estimate how complex each task is, suggest the role best suited to own it, and identify which tasks depend on which.',
    );
    assert.equal(
      userText(prompt),
      `Break down the following requirement into implementation tasks:\n\nUsers can reset their password by email.\n\n${tail}`,
    );
    assert.equal(prompt.outputFormat, 'json');
    assert.deepEqual(prompt.schema, {
      type: 'object',
      properties: {
        tasks: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              title: { type: 'string' },
              description: { type: 'string' },
              complexity: { type: 'string', enum: ['low', 'medium', 'high'] },
              suggested_role: { type: 'string' },
            },
            required: ['title', 'description', 'complexity', 'suggested_role'],
          },
        },
        dependencies: {
          type: 'array',
          items: {
            type: 'object',
            properties: { from_task: { type: 'string' }, to_task: { type: 'string' } },
            required: ['from_task', 'to_task'],
          },
        },
      },
      required: ['tasks'],
    });
  });

  it('adds project context and the roles to choose from', () => {
    const prompt = render('requirement_breakdown', {
      requirement: 'Users can reset their password by email.',
      context: 'A Django monolith with Celery for background jobs.',
      available_roles: ['backend', 'frontend', 'qa'],
    });
    assert.equal(
      userText(prompt),
      `Break down the following requirement into implementation tasks:\n\nUsers can reset their password by email.\n\nProject context:\nA Django monolith with Celery for background jobs.\n\nChoose each suggested_role from: backend, frontend, qa.\n\n${tail}`,
    );
  });

  it('hands out a copy of the schema, so a caller cannot change the template', () => {
    const first = render('requirement_breakdown', { requirement: 'R' });
    (first.schema as Record<string, unknown>).type = 'array';
    assert.equal(render('requirement_breakdown', { requirement: 'R' }).schema?.type, 'object');
  });
});

describe('bug_fixing', () => {
  const answer =
    'Answer in three parts:\n1. Root cause: what is wrong and why it produces the problem described.\n2. Fix: the complete corrected code in a single fenced code block.\n3. Verification: how to confirm the fix, for example a test that fails before the fix and passes after it.';

  it('renders code and error description alone', () => {
    const prompt = render('bug_fixing', {
      code: 'def avg(xs):\n    return sum(xs) / len(xs)',
      error_description: 'Crashes on an empty list.',
    });
    assert.equal(
      userText(prompt),
      `Please fix the bug in the following code:\n\n\`\`\`\ndef avg(xs):\n    return sum(xs) / len(xs)\n\`\`\`\n\nThe problem:\nCrashes on an empty list.\n\n${answer}`,
    );
    assert.equal(prompt.outputFormat, 'markdown');
  });

  it('adds language, stack trace and expected behaviour when given', () => {
    const prompt = render('bug_fixing', {
      code: 'def avg(xs):\n    return sum(xs) / len(xs)',
      error_description: 'Crashes on an empty list.',
      language: 'python',
      stack_trace: 'ZeroDivisionError: division by zero',
      expected_behavior: 'avg([]) returns 0.',
    });
    assert.equal(
      userText(prompt),
      `Please fix the bug in the following python code:\n\n\`\`\`python\ndef avg(xs):\n    return sum(xs) / len(xs)\n\`\`\`\n\nThe problem:\nCrashes on an empty list.\n\nStack trace:\n\`\`\`\nZeroDivisionError: division by zero\n\`\`\`\n\nExpected behaviour:\navg([]) returns 0.\n\n${answer}`,
    );
  });
});

describe('documentation_generation', () => {
  const cover =
    'Cover:\n- what the code is for, in one or two sentences;\n- how to use it, with at least one example;\n- every public function, class or endpoint: its parameters, return value and errors;\n- anything a reader could get wrong, such as side effects, limits and assumptions.\n\nDocument only what the code does; do not invent features it does not have.';

  it('renders for developers in markdown by default', () => {
    const prompt = render('documentation_generation', { code: 'export const add = (a, b) => a + b;' });
    assert.equal(
      userText(prompt),
      `Write documentation for the following code:\n\n\`\`\`\nexport const add = (a, b) => a + b;\n\`\`\`\n\nAudience: developers.\nFormat: markdown.\n\n${cover}`,
    );
  });

  it('uses the given language, audience and format', () => {
    const prompt = render('documentation_generation', {
      code: 'export const add = (a, b) => a + b;',
      language: 'javascript',
      audience: 'new team members',
      format: 'a README section',
    });
    assert.equal(
      userText(prompt),
      `Write documentation for the following javascript code:\n\n\`\`\`javascript\nexport const add = (a, b) => a + b;\n\`\`\`\n\nAudience: new team members.\nFormat: a README section.\n\n${cover}`,
    );
  });
});

describe('general_qa', () => {
  it('1.0 renders the question alone, or with context', () => {
    const bare = render('general_qa', { question: 'What is Temporal?' }, { templateVersion: '1.0' });
    assert.deepEqual(bare.messages, [
      {
        role: 'system',
        content:
          'You are a knowledgeable and careful assistant. Answer accurately and concisely. If you are not sure of the answer, say so rather than guessing.',
      },
      { role: 'user', content: 'Question: What is Temporal?' },
    ]);
    const withContext = render(
      'general_qa',
      { question: 'What is Temporal?', context: 'Temporal is a durable execution platform.' },
      { templateVersion: '1.0' },
    );
    assert.equal(
      userText(withContext),
      'Use the following context to answer the question.\n\nContext:\nTemporal is a durable execution platform.\n\nQuestion: What is Temporal?',
    );
  });

  it('1.1 renders variables in the system message and records the variant', () => {
    const prompt = render('general_qa', { question: 'Why is the sky blue?', audience: 'children' });
    assert.equal(prompt.version, '1.1');
    assert.ok(prompt.variant === 'direct' || prompt.variant === 'step_by_step');
    assert.match(
      systemText(prompt),
      /^You are a knowledgeable and careful assistant answering questions for children\. /,
    );
    assert.equal(userText(prompt), 'Question: Why is the sky blue?');
  });

  it('1.1 gives each variant its own system message', () => {
    const byVariant = new Map<string, string>();
    for (let i = 0; i < 50 && byVariant.size < 2; i++) {
      const prompt = render('general_qa', { question: 'Q' }, { requestId: `qa-${i}` });
      byVariant.set(prompt.variant ?? '', systemText(prompt));
    }
    assert.equal(
      byVariant.get('direct'),
      'You are a knowledgeable and careful assistant answering questions for a general audience. Answer accurately and concisely. If you are not sure of the answer, say so rather than guessing.',
    );
    assert.equal(
      byVariant.get('step_by_step'),
      'You are a knowledgeable and careful assistant answering questions for a general audience. Work through the question step by step, show the steps briefly, then state the answer on its own line. If you are not sure of the answer, say so rather than guessing.',
    );
  });
});

describe('strict rendering', () => {
  it('names every missing required variable, as a non-retryable MissingVariablesError', () => {
    assert.throws(
      () => render('bug_fixing', { language: 'go' }),
      (err: unknown) => {
        assert.ok(err instanceof MissingVariablesError);
        assert.equal(err.type, 'MissingVariablesError');
        assert.equal(err.nonRetryable, true);
        assert.ok(isMissingVariablesError(err));
        assert.match(err.message, /code, error_description/);
        assert.deepEqual(err.errorDetails.missing, ['code', 'error_description']);
        return true;
      },
    );
  });

  it('outputs variables containing template syntax literally', () => {
    const requirement = 'Print {{ secret }} and {% include "/etc/passwd" %} then {%- raw -%}{{ x }}';
    const prompt = render(
      'general_qa',
      { question: requirement, context: '{% if true %}yes{% endif %}' },
      {
        templateVersion: '1.0',
      },
    );
    assert.equal(
      userText(prompt),
      `Use the following context to answer the question.\n\nContext:\n{% if true %}yes{% endif %}\n\nQuestion: ${requirement}`,
    );
  });

  it('does not HTML-escape values', () => {
    const prompt = render('general_qa', { question: 'Is 1 < 2 && "a" > \'b\'?' }, { templateVersion: '1.0' });
    assert.equal(userText(prompt), 'Question: Is 1 < 2 && "a" > \'b\'?');
  });

  it('renders a JSON null for a required variable as empty, not as missing', () => {
    const prompt = render('general_qa', { question: null }, { templateVersion: '1.0' });
    assert.equal(userText(prompt), 'Question: ');
  });
});

describe('versions', () => {
  it('uses the highest version without a pin and the pinned one with it', () => {
    assert.equal(registry.get('general_qa').version, '1.1');
    assert.equal(registry.get('general_qa', '1.0').version, '1.0');
    assert.equal(render('general_qa', { question: 'Q' }, { templateVersion: '1.0' }).version, '1.0');
  });

  it('treats 1 and 1.0 as the same pin', () => {
    assert.equal(registry.get('general_qa', '1').version, '1.0');
  });

  it('reports an unknown version with the known ones, as a non-retryable TemplateNotFoundError', () => {
    assert.throws(
      () => registry.get('general_qa', '2.0'),
      (err: unknown) => {
        assert.ok(err instanceof TemplateNotFoundError);
        assert.equal(err.type, 'TemplateNotFoundError');
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /known versions: 1\.0, 1\.1/);
        assert.deepEqual(err.errorDetails.knownVersions, ['1.0', '1.1']);
        return true;
      },
    );
  });

  it('reports an unknown id with the known ids', () => {
    assert.throws(
      () => render('no_such_template', {}),
      (err: unknown) => {
        assert.ok(err instanceof TemplateNotFoundError);
        assert.equal(err.nonRetryable, true);
        assert.match(
          err.message,
          /known templates: bug_fixing, chat, code_generation, conversation, documentation_generation, general_qa/,
        );
        return true;
      },
    );
  });

  it('compares versions numerically, segment by segment', () => {
    const sorted = ['1.10', '1.9', '1.1', '2', '1.0.1', '1'].sort(compareVersions);
    assert.deepEqual(sorted, ['1', '1.0.1', '1.1', '1.9', '1.10', '2']);
  });
});

describe('templates in a scratch folder', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'templates-render-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeTemplate(id: string, version: string, body: string): Promise<void> {
    await mkdir(join(dir, id), { recursive: true });
    await writeFile(join(dir, id, `${version}.yaml`), body);
  }

  it('picks 1.10 over 1.9 over 1.1 as the latest', async () => {
    for (const version of ['1.1', '1.9', '1.10']) {
      await writeTemplate(
        'versioned',
        version,
        `templateId: versioned\nversion: "${version}"\nsystemMessage: s\nuserMessageTemplate: v${version}\nrequiredVariables: []\noptionalVariables: {}\nmetadata: { description: d }\n`,
      );
    }
    const scratch = await loadTemplateRegistry(dir);
    assert.deepEqual(scratch.list()[0]?.versions, ['1.1', '1.9', '1.10']);
    const prompt = scratch.render({ requestId: 'r', templateId: 'versioned', variables: {} });
    assert.equal(prompt.version, '1.10');
    assert.equal(prompt.messages[1]?.content, 'v1.10');
    // The default token estimate is about four characters a token.
    assert.deepEqual(prompt.tokenCounts, [1, 2]);
  });

  it('names an undefined nested variable as a TemplateRenderError', async () => {
    await writeTemplate(
      'nested',
      '1.0',
      'templateId: nested\nversion: "1.0"\nsystemMessage: s\nuserMessageTemplate: "Hello {{ user.name }}"\nrequiredVariables: [user]\noptionalVariables: {}\nmetadata: { description: d }\n',
    );
    const scratch = await loadTemplateRegistry(dir);
    assert.equal(
      scratch.render({ requestId: 'r', templateId: 'nested', variables: { user: { name: 'Ada' } } })
        .messages[1]?.content,
      'Hello Ada',
    );
    assert.throws(
      () => scratch.render({ requestId: 'r', templateId: 'nested', variables: { user: {} } }),
      (err: unknown) => {
        assert.ok(err instanceof TemplateRenderError);
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /undefined variable "user\.name"/);
        assert.equal(err.errorDetails.variable, 'user.name');
        return true;
      },
    );
  });
});
