// Getting the JSON out of a model's answer. Models wrap JSON in ```json fences, in prose, or answer
// with several blocks; this tries, in order: ```json blocks, the whole answer, other fenced blocks,
// then every balanced {...} / [...] in the text that could start JSON. Parsing stays strict JSON
// (no trailing commas, no comments): a lenient parse would hide errors the repair prompt can fix.
import { InvalidResponseError } from '../../common/errors.js';
import type { JsonValue } from '../../common/request.js';
import { looksLikeJsonStart, matchBracket } from './brackets.js';
import { type FencedBlock, parseFencedBlocks } from './fences.js';

const JSON_LANGUAGES = new Set(['json', 'jsonc', 'json5', 'application/json']);

/** Upper bound on characters scanned for candidates: answers are small, adversarial input is not. */
const MAX_SCAN_STEPS = 20_000_000;

type Parsed = { ok: true; value: JsonValue } | { ok: false; error: string };

function tryParse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function fail(reason: string): never {
  throw new InvalidResponseError(`Could not extract JSON from the answer: ${reason}`, {
    details: { reasons: [reason], validationErrors: [] },
  });
}

/** First block in `blocks` whose content parses, and the first parse error otherwise. */
function firstParsingBlock(blocks: readonly FencedBlock[]): Parsed | undefined {
  let firstError: string | undefined;
  for (const block of blocks) {
    const parsed = tryParse(block.code.trim());
    if (parsed.ok) return parsed;
    firstError ??= block.closed ? parsed.error : `${parsed.error} (the block is never closed)`;
  }
  return firstError === undefined ? undefined : { ok: false, error: firstError };
}

interface ScanOutcome {
  value?: JsonValue;
  /** The first candidate that was balanced but did not parse. */
  invalid?: { offset: number; error: string };
  /** The first candidate whose brackets never close. */
  unclosedAt?: number;
}

/**
 * Tries each balanced candidate from left to right. A candidate that looks like JSON but does not
 * parse is skipped as a whole: returning a valid fragment from inside broken JSON would silently
 * answer with the wrong data. For the same reason scanning stops at an unclosed candidate.
 */
function scanCandidates(text: string): ScanOutcome {
  const outcome: ScanOutcome = {};
  let budget = MAX_SCAN_STEPS;
  for (let start = 0; start < text.length && budget > 0; start++) {
    const char = text[start];
    if ((char !== '{' && char !== '[') || !looksLikeJsonStart(text, start)) continue;
    const { outcome: match, end } = matchBracket(text, start, budget);
    budget -= end - start + 1;
    if (match === 'unclosed') {
      if (end === text.length) outcome.unclosedAt = start;
      return outcome;
    }
    if (match === 'mismatched') continue;
    const parsed = tryParse(text.slice(start, end + 1));
    if (parsed.ok) return { value: parsed.value };
    outcome.invalid ??= { offset: start, error: parsed.error };
    start = end;
  }
  return outcome;
}

/**
 * The JSON value in a model's answer. Throws InvalidResponseError saying precisely why nothing
 * parsed: the reason is shown to the model when it is asked to repair its answer.
 */
export function extractJson(text: string): JsonValue {
  if (text.trim() === '') fail('the answer is empty');
  const blocks = parseFencedBlocks(text);
  const jsonBlocks = blocks.filter((block) => block.language && JSON_LANGUAGES.has(block.language));
  const otherBlocks = blocks.filter((block) => !jsonBlocks.includes(block));

  const fromJsonBlocks = firstParsingBlock(jsonBlocks);
  if (fromJsonBlocks?.ok) return fromJsonBlocks.value;
  const whole = tryParse(text.trim());
  if (whole.ok) return whole.value;
  const fromOtherBlocks = firstParsingBlock(otherBlocks);
  if (fromOtherBlocks?.ok) return fromOtherBlocks.value;

  // A ```json block is what the model meant as its answer: JSON elsewhere (an example in the
  // prose) is not a substitute for it.
  if (fromJsonBlocks) fail(`found a \`\`\`json block but it is not valid JSON: ${fromJsonBlocks.error}`);

  const scan = scanCandidates(text);
  if (scan.value !== undefined) return scan.value;
  if (scan.invalid) {
    const { offset, error } = scan.invalid;
    const kind = text[offset] === '[' ? 'an array' : 'an object';
    fail(`found ${kind} at offset ${offset} but it is not valid JSON: ${error}`);
  }
  if (scan.unclosedAt !== undefined) {
    const bracket = text[scan.unclosedAt];
    fail(`found '${bracket}' at offset ${scan.unclosedAt} that is never closed (the answer looks cut off)`);
  }
  if (fromOtherBlocks) {
    fail(`found ${otherBlocks.length} fenced block(s) but none is valid JSON: ${fromOtherBlocks.error}`);
  }
  fail('no JSON object or array found in the answer');
}
