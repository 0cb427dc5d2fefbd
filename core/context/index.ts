// Token counting and context pruning: what activities import.
export { type BudgetInput, computeBudget } from './budget.js';
export { clearTokenMemo } from './encoding.js';
export {
  type CountedItem,
  countItems,
  type DroppedItem,
  type DropReason,
  type PruneInput,
  type PruneResult,
  pruneContext,
  type SelectInput,
  type Selection,
  selectContext,
} from './pruning.js';
export {
  appendContext,
  CONTEXT_SEPARATOR,
  renderContextBlock,
  renderContextSection,
  renderSectionHeader,
} from './render.js';
export {
  DEFAULT_HYBRID_WEIGHTS,
  PRUNING_STRATEGIES,
  type PruningStrategy,
  type PruningWeights,
  recencyScores,
  scoreItems,
} from './scoring.js';
export {
  ANTHROPIC_ESTIMATE_FACTOR,
  counterForModel,
  isTokenizer,
  MESSAGE_OVERHEAD_TOKENS,
  REPLY_PRIMING_TOKENS,
  TOKENIZERS,
  type TokenCounter,
  type Tokenizer,
  tokenCounter,
  warmUpTokenizers,
} from './tokens.js';
