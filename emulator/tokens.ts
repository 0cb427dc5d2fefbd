/** The emulator's tokenizer stand-in: about four characters per token, like English text on GPT models. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cuts text so that its estimate fits in maxTokens. */
export function truncateToTokens(text: string, maxTokens: number): string {
  return text.slice(0, Math.max(0, maxTokens) * 4);
}

/** Per-message overhead, as chat formats add role markers around each message. */
export const MESSAGE_OVERHEAD_TOKENS = 3;
