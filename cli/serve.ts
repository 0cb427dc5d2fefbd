// `llm-orchestrator serve`: the HTTP API (REST, SSE and OpenAI-compatible endpoints) until SIGINT/SIGTERM.
import { Command, InvalidArgumentError } from 'commander';
import { runApiServer } from '../api/run.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is 0-65535');
  return port;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'serve the HTTP API (connects to TEMPORAL_ADDRESS; API keys from API_KEYS / API_KEYS_FILE / Redis)',
    )
    .option('--port <port>', 'port to listen on (default API_PORT or 8080)', parsePort)
    .option('--host <host>', 'interface to listen on (default API_HOST or 127.0.0.1)')
    .action(async (options: { port?: number; host?: string }) => {
      const api = await runApiServer({
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host ? { host: options.host } : {}),
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await api.close();
    });
}
