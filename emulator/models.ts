export interface ModelInfo {
  id: string;
  ownedBy: 'openai' | 'anthropic' | 'emulator';
  displayName: string;
  contextWindow: number;
}

/** Models listed by GET /v1/models; any other name is still accepted unless strictModels is on. */
export const KNOWN_MODELS: readonly ModelInfo[] = [
  { id: 'gpt-4o', ownedBy: 'openai', displayName: 'GPT-4o', contextWindow: 128_000 },
  { id: 'gpt-4o-mini', ownedBy: 'openai', displayName: 'GPT-4o mini', contextWindow: 128_000 },
  { id: 'gpt-4.1', ownedBy: 'openai', displayName: 'GPT-4.1', contextWindow: 1_047_576 },
  { id: 'gpt-4.1-mini', ownedBy: 'openai', displayName: 'GPT-4.1 mini', contextWindow: 1_047_576 },
  { id: 'gpt-4.1-nano', ownedBy: 'openai', displayName: 'GPT-4.1 nano', contextWindow: 1_047_576 },
  { id: 'gpt-5', ownedBy: 'openai', displayName: 'GPT-5', contextWindow: 400_000 },
  { id: 'gpt-5-mini', ownedBy: 'openai', displayName: 'GPT-5 mini', contextWindow: 400_000 },
  { id: 'gpt-5.1', ownedBy: 'openai', displayName: 'GPT-5.1', contextWindow: 400_000 },
  { id: 'gpt-5.2', ownedBy: 'openai', displayName: 'GPT-5.2', contextWindow: 400_000 },
  { id: 'gpt-5.4', ownedBy: 'openai', displayName: 'GPT-5.4', contextWindow: 400_000 },
  { id: 'gpt-5.4-mini', ownedBy: 'openai', displayName: 'GPT-5.4 mini', contextWindow: 400_000 },
  { id: 'o3', ownedBy: 'openai', displayName: 'o3', contextWindow: 200_000 },
  { id: 'o3-mini', ownedBy: 'openai', displayName: 'o3-mini', contextWindow: 200_000 },
  { id: 'o4-mini', ownedBy: 'openai', displayName: 'o4-mini', contextWindow: 200_000 },
  { id: 'text-embedding-3-small', ownedBy: 'openai', displayName: 'Embedding 3 small', contextWindow: 8_191 },
  { id: 'text-embedding-3-large', ownedBy: 'openai', displayName: 'Embedding 3 large', contextWindow: 8_191 },
  { id: 'claude-opus-4-7', ownedBy: 'anthropic', displayName: 'Claude Opus 4.7', contextWindow: 200_000 },
  { id: 'claude-opus-4-6', ownedBy: 'anthropic', displayName: 'Claude Opus 4.6', contextWindow: 200_000 },
  { id: 'claude-sonnet-4-6', ownedBy: 'anthropic', displayName: 'Claude Sonnet 4.6', contextWindow: 200_000 },
  { id: 'claude-opus-4-1', ownedBy: 'anthropic', displayName: 'Claude Opus 4.1', contextWindow: 200_000 },
  { id: 'claude-sonnet-4-5', ownedBy: 'anthropic', displayName: 'Claude Sonnet 4.5', contextWindow: 200_000 },
  { id: 'claude-haiku-4-5', ownedBy: 'anthropic', displayName: 'Claude Haiku 4.5', contextWindow: 200_000 },
  {
    id: 'claude-3-5-haiku-latest',
    ownedBy: 'anthropic',
    displayName: 'Claude Haiku 3.5',
    contextWindow: 200_000,
  },
  { id: 'tiny-model', ownedBy: 'emulator', displayName: 'Tiny test model', contextWindow: 1_000 },
];

const DEFAULT_CONTEXT_WINDOW = 128_000;

/** Finds a known model by exact name or as a dated variant ("gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929"). */
export function findModel(name: string): ModelInfo | undefined {
  const exact = KNOWN_MODELS.find((m) => m.id === name);
  if (exact) return exact;
  // Longest prefix wins so that "gpt-4o-mini-…" does not resolve to "gpt-4o".
  return [...KNOWN_MODELS]
    .filter((m) => name.startsWith(`${m.id}-`))
    .sort((a, b) => b.id.length - a.id.length)[0];
}

export function contextWindowFor(name: string): number {
  const known = findModel(name);
  if (known) return known.contextWindow;
  return name.startsWith('claude-') ? 200_000 : DEFAULT_CONTEXT_WINDOW;
}
