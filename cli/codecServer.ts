// `llm-orchestrator codec-server`: decrypts payloads for the Temporal UI and CLI, for holders of
// CODEC_SERVER_TOKEN only. Uses the same codec settings as the workers (see codec/fromEnv.ts).
import { Command } from 'commander';
import { closePayloadCodecs, createCodecServer, payloadCodecsFromEnv } from '../codec/index.js';
import { ConfigError } from '../common/errors.js';
import { readCodecServerSettings } from '../config/env.js';

export { DEFAULT_UI_ORIGIN } from '../config/env.js';

interface CodecServerCommandOptions {
  port: string;
  host: string;
}

/** CODEC_SERVER_CORS_ORIGINS, as config/env.ts reads it. */
export function corsOriginsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return readCodecServerSettings(env).corsOrigins;
}

export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description(
      'serve POST /encode and /decode for the Temporal UI/CLI (needs CODEC_SERVER_TOKEN and the codec settings: PAYLOAD_ENCRYPTION_KEY…, CLAIM_CHECK_…)',
    )
    .option('--port <port>', 'port to listen on', '8888')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: CodecServerCommandOptions) => {
      const { token, corsOrigins } = readCodecServerSettings();
      if (!token)
        throw new ConfigError(
          'CODEC_SERVER_TOKEN is not set: the codec server decrypts payloads, so it only answers requests with Authorization: Bearer <CODEC_SERVER_TOKEN>',
        );
      const codecs = payloadCodecsFromEnv();
      if (!codecs.length)
        throw new ConfigError(
          'no codec is configured: set PAYLOAD_ENCRYPTION_KEY and PAYLOAD_ENCRYPTION_KEY_ID (and/or CLAIM_CHECK_DIR / CLAIM_CHECK_STORE) as the workers have them',
        );
      const app = createCodecServer({ codecs, token, corsOrigins });
      const address = await app.listen({ port: Number(options.port), host: options.host });
      console.log(`codec server on ${address} (CORS: ${corsOrigins.join(', ') || 'none'})`);
      const stop = async (): Promise<void> => {
        await app.close();
        await closePayloadCodecs(codecs);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
