import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractCode } from '../core/response/code.js';
import { parseFencedBlocks } from '../core/response/fences.js';
import { processMarkdown } from '../core/response/markdown.js';

const ANSWER = [
  'Install it first:',
  '```bash',
  'npm install left-pad',
  '```',
  'Then the implementation:',
  '```ts',
  'export function pad(s: string): string {',
  "  return ' ' + s;",
  '}',
  '```',
  'And a Python version:',
  '```python',
  'def pad(s):',
  '    return " " + s',
  '```',
].join('\n');

describe('extractCode', () => {
  it('lists every fenced block with its language', () => {
    const { blocks } = extractCode(ANSWER);
    assert.deepEqual(
      blocks.map((b) => b.language),
      ['bash', 'ts', 'python'],
    );
    assert.equal(blocks[2]?.code, 'def pad(s):\n    return " " + s');
  });

  it('without a language, takes the first block', () => {
    const result = extractCode(ANSWER);
    assert.equal(result.code, 'npm install left-pad');
    assert.equal(result.language, 'bash');
  });

  it('with a language, takes the first block in it, aliases included', () => {
    assert.equal(extractCode(ANSWER, 'python').language, 'python');
    const typescript = extractCode(ANSWER, 'typescript');
    assert.equal(typescript.language, 'ts');
    assert.match(typescript.code, /^export function pad/);
    assert.equal(extractCode(ANSWER, 'py').language, 'python');
  });

  it('falls back to the first block when no block is in the language', () => {
    assert.equal(extractCode(ANSWER, 'rust').language, 'bash');
  });

  it('takes the whole answer when it has no fenced block', () => {
    const result = extractCode('  def f():\n    return 1\n');
    assert.deepEqual(result, { code: 'def f():\n    return 1', blocks: [] });
  });

  it('handles CRLF line endings, longer fences and unclosed blocks', () => {
    assert.equal(extractCode('```js\r\nconst a = 1;\r\n```\r\n').code, 'const a = 1;');
    const nested = '````markdown\nExample:\n```js\nx()\n```\n````';
    assert.equal(extractCode(nested).code, 'Example:\n```js\nx()\n```');
    const truncated = parseFencedBlocks('```go\nfunc main() {\n');
    assert.deepEqual(truncated, [{ language: 'go', code: 'func main() {\n', closed: false }]);
  });
});

describe('processMarkdown', () => {
  it('trims and normalises line endings', () => {
    assert.equal(processMarkdown('\r\n# Title\r\n\r\nText  \r\n'), '# Title\n\nText');
  });

  it('unwraps an answer wrapped whole in a ```markdown fence', () => {
    assert.equal(processMarkdown('```markdown\n# Title\n\n- item\n```'), '# Title\n\n- item');
  });

  it('leaves code blocks inside Markdown alone', () => {
    const text = '```js\nx()\n```\n\nSome text\n\n```js\ny()\n```';
    assert.equal(processMarkdown(text), text);
    assert.equal(processMarkdown('```\nplain block\n```'), '```\nplain block\n```');
  });
});
