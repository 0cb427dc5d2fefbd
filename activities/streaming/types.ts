// Events a streaming request publishes while its provider calls run. Readers (the client's
// `stream()` and the HTTP API's SSE) concatenate `delta` texts of the current try; `try_failed`
// tells them the text so far is void and another try or model follows.
export type StreamEvent =
  | { type: 'try_started'; model: string; provider: string; try: number }
  | { type: 'delta'; model: string; try: number; text: string }
  | { type: 'try_failed'; model: string; try: number; errorType: string; message: string }
  | { type: 'try_succeeded'; model: string; try: number };

/** Where the provider activity publishes stream events (Redis Streams in production). */
export interface StreamPublisher {
  publish(requestId: string, event: StreamEvent): Promise<void>;
}
