// Finds where a JSON object or array that starts at a given offset ends, skipping brackets inside
// JSON strings, so that prose around an answer ("Here it is: {...} Hope this helps {:") does not
// confuse extraction.

export interface BracketMatch {
  /** `closed`: `end` is the index of the matching bracket. `unclosed`: the text (or the step budget)
   * ended with brackets still open, usually a truncated answer. `mismatched`: a closing bracket of the
   * wrong kind at `end`, so not JSON. */
  outcome: 'closed' | 'unclosed' | 'mismatched';
  end: number;
}

/**
 * Where the bracket at `start` (which must hold `{` or `[`) is closed. Linear in the length scanned;
 * at most `maxSteps` characters are looked at, which bounds the work on adversarial input.
 */
export function matchBracket(text: string, start: number, maxSteps = Number.POSITIVE_INFINITY): BracketMatch {
  const expected: string[] = [];
  let inString = false;
  const limit = Math.min(text.length, start + maxSteps);
  for (let i = start; i < limit; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    switch (char) {
      case '"':
        inString = true;
        break;
      case '{':
        expected.push('}');
        break;
      case '[':
        expected.push(']');
        break;
      case '}':
      case ']':
        if (expected.pop() !== char) return { outcome: 'mismatched', end: i };
        if (expected.length === 0) return { outcome: 'closed', end: i };
        break;
    }
  }
  return { outcome: 'unclosed', end: limit };
}

const VALUE_START = /\s*(["{[\-0-9\]}]|true\b|false\b|null\b)/y;

/**
 * Whether the bracket at `start` could begin JSON: `{` must be followed by `"` or `}`, `[` by a value
 * or `]`. Prose brackets ("[see below]", "[note]", "{name}") fail this cheaply and are never scanned.
 */
export function looksLikeJsonStart(text: string, start: number): boolean {
  VALUE_START.lastIndex = start + 1;
  const next = VALUE_START.exec(text)?.[1];
  if (next === undefined) return false;
  return text[start] === '{' ? next === '"' || next === '}' : next !== '}';
}
