// The worker process: connects to Temporal, serves the task queue until SIGINT/SIGTERM, then drains.
// It also serves /metrics, /health and /health/ready for Prometheus and Kubernetes probes. Its logs
// are JSON lines on stderr (workers/logging.ts); its traces go to OpenTelemetry when asked (tracing.ts).
import { NativeConnection, Runtime } from '@temporalio/worker';
import { codecSettingsFromEnv, dataConverterFor } from '../codec/index.js';
import {
  readBackendSettings,
  readBatchSettings,
  readConfigFiles,
  readLogSettings,
  readTemporalSettings,
  readWorkerTuning,
} from '../config/env.js';
import type { Backend } from '../core/backend.js';
import { noProviderAdvice } from '../core/providers/kinds.js';
import { providerSettingsFromEnv } from '../core/providers/registry.js';
import { loadToolsModule } from '../core/tools/module.js';
import { workerBackend } from './backend.js';
import { workerReadiness } from './health.js';
import { heapWarning } from './heapCheck.js';
import { startWorkerHttpServer, workerHttpPort } from './http.js';
import { runtimeLogging } from './logging.js';
import { OrchestratorMetrics } from './metrics.js';
import { temporalRuntimeTelemetry } from './metricsTemporal.js';
import { warnMissingSearchAttributes } from './searchAttributeCheck.js';
import { processTracing } from './tracing.js';
import { createOrchestratorWorker } from './worker.js';

export interface RunWorkerOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  log?: (line: string) => void;
  /** Shared state from the caller (npm start shares one with its API server); left open. */
  backend?: Backend;
  /**
   * Started beside the worker on its connection once the worker exists (npm start's API server, whose
   * client then starts requests eagerly); the stop it returns runs after the worker has drained,
   * before the connection closes.
   */
  alongside?: (connection: NativeConnection) => Promise<() => Promise<void>>;
}

export async function runWorker(options: RunWorkerOptions = {}): Promise<void> {
  // Every setting is read here, once, before anything starts: a bad value stops the worker at once.
  const { backend: given, alongside, ...connectionOptions } = options;
  const config = { ...readTemporalSettings(), ...definedOnly(connectionOptions) };
  const logSettings = readLogSettings();
  const files = readConfigFiles();
  const tuning = readWorkerTuning();
  const batchSettings = readBatchSettings();
  const providers = providerSettingsFromEnv();
  const codecSettings = codecSettingsFromEnv();
  const backend = given ?? workerBackend({ settings: readBackendSettings(), files, providers });
  const { logger, logging } = runtimeLogging(logSettings);
  const log = options.log ?? ((line: string) => logger.info(line));
  // The SDK's runtime is created once per process: its logger and metrics exporter must be set first.
  Runtime.install({ logger, telemetryOptions: { ...temporalRuntimeTelemetry(), logging } });
  const tracing = processTracing();
  const connection = await NativeConnection.connect({ address: config.address });
  await warnMissingSearchAttributes(connection, config.namespace, (line) => logger.warn(line));
  const heap = heapWarning(tuning.maxConcurrentActivityTaskExecutions);
  if (heap) logger.warn(heap);
  try {
    const metrics = new OrchestratorMetrics();
    // The claim check keeps its blobs on the backend's connection (or in its directory).
    const dataConverter = dataConverterFor(codecSettings, backend.claimBlobs);
    const redis = backend.redis;
    const orchestrator = await createOrchestratorWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      backend,
      files,
      providers,
      watchTemplates: true,
      tuning,
      settings: {
        batches: batchSettings,
        // Failure drills hold answered calls to kill the worker after the provider billed them.
        ...(process.env.LLM_DRILL_HOLD_AFTER_ANSWER_MS
          ? { holdAfterAnswerMs: Number(process.env.LLM_DRILL_HOLD_AFTER_ANSWER_MS) }
          : {}),
      },
      // An operator's own agent tools (core/tools/module.ts).
      tools: await loadToolsModule(process.env.AGENT_TOOLS_MODULE?.trim() || undefined),
      metrics,
      logging: logSettings,
      logger,
      ...(tracing ? { tracing } : {}),
      // Encryption and claim check when PAYLOAD_ENCRYPTION_KEY / CLAIM_CHECK_THRESHOLD_BYTES are set.
      ...(dataConverter ? { dataConverter } : {}),
    });
    const http = await startWorkerHttpServer({
      port: workerHttpPort(),
      metrics,
      readiness: workerReadiness({
        connection,
        workers: [orchestrator.worker, ...orchestrator.providerWorkers],
        ...(redis ? { redis } : {}),
      }),
    });
    const configured = orchestrator.deps.providers.configured();
    log(
      `worker: task queue "${config.taskQueue}" on ${config.address} (namespace ${config.namespace}); providers: ${configured.join(', ') || `none — ${noProviderAdvice()}`}`,
    );
    log(`worker: metrics and health on ${http.url} (/metrics, /health, /health/ready)`);
    const stop = (): void => orchestrator.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const stopAlongside = alongside ? await alongside(connection) : undefined;
    try {
      await orchestrator.run();
    } finally {
      await stopAlongside?.();
      await http.close();
    }
  } finally {
    if (!given) await backend.close();
    await tracing?.shutdown();
    // A close that fails (workers still hold the connection after a failed start) must not hide why.
    await connection
      .close()
      .catch((error: unknown) => log(`worker: could not close the connection: ${error}`));
  }
}

function definedOnly(options: RunWorkerOptions): Partial<RunWorkerOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
