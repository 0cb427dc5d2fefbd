// OpenTelemetry tracing through Temporal's interceptors (@temporalio/interceptors-opentelemetry):
// one trace per request with a span for the workflow start (client), the workflow's execution, each
// child workflow, each activity scheduled (local ones too) and each activity executed. Off by
// default; OTEL_TRACING=true, or a standard OTLP endpoint in the environment, turns it on.
import { createRequire } from 'node:module';
import type { Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { ConfigError } from '../common/errors.js';

/**
 * The workflow-side interceptors. They are compiled into the workflow bundle, so a tracing worker
 * builds its own bundle (workers/worker.ts): the default bundle stays without them, unchanged.
 */
export const TRACING_WORKFLOW_INTERCEPTORS: string = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

export interface TracingSettings {
  serviceName: string;
  /** OTEL_TRACES_EXPORTER: otlp (OTLP over HTTP, to OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT) or console. */
  exporter: 'otlp' | 'console';
}

/** Undefined (tracing off) unless OTEL_TRACING=true or an OTLP endpoint is set; OTEL_TRACING=false wins. */
export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TracingSettings | undefined {
  const switched = env.OTEL_TRACING?.trim().toLowerCase();
  if (switched && !['true', 'false', '1', '0'].includes(switched))
    throw new ConfigError(`OTEL_TRACING must be true or false; got "${env.OTEL_TRACING}"`);
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const on = switched === 'true' || switched === '1' || (!switched && Boolean(endpoint));
  if (!on) return undefined;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || 'otlp';
  if (exporter !== 'otlp' && exporter !== 'console')
    throw new ConfigError(`OTEL_TRACES_EXPORTER must be otlp or console; got "${env.OTEL_TRACES_EXPORTER}"`);
  return { serviceName: env.OTEL_SERVICE_NAME || 'llm-orchestrator', exporter };
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Activity interceptors: a span around each activity, child of the span that scheduled it. */
  readonly activityInterceptors: ActivityInterceptorsFactory[];
  /** The sink through which workflow code hands its spans to the exporter (never during replay). */
  readonly workflowSinks: InjectedSinks<OpenTelemetrySinks>;
  /** For a Temporal Client: a span per workflow start, its context passed on in the headers. */
  clientInterceptors(): ClientInterceptors;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  exporter: SpanExporter;
  serviceName?: string;
  /** Export each span as it ends (tests) instead of in batches. */
  exportEachSpan?: boolean;
}

/**
 * Starts tracing in this process: a tracer provider registered globally with an async-local context
 * manager and W3C trace context, which the interceptors need to carry a span across awaits and
 * through Temporal headers. Call once per process.
 */
export function startTracing(options: StartTracingOptions): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName ?? 'llm-orchestrator' });
  const processor = options.exportEachSpan
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(options.exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager().enable(),
    propagator: new W3CTraceContextPropagator(),
  });
  const tracer = provider.getTracer('llm-orchestrator');
  return {
    tracer,
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
        // Puts trace_id and span_id on the activity's log lines.
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    workflowSinks: { exporter: makeWorkflowExporter(processor, resource) },
    clientInterceptors: () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] }),
    shutdown: () => provider.shutdown(),
  };
}

let processWide: { tracing: Tracing | undefined } | undefined;

/**
 * This process's tracing, from the environment, started once however many servers ask: `npm start`
 * runs the worker and the HTTP API in one process, and one tracer provider serves both. Shutting it
 * down more than once is harmless.
 */
export function processTracing(): Tracing | undefined {
  if (!processWide) {
    const tracing = tracingFromEnv();
    let stopped: Promise<void> | undefined;
    processWide = {
      tracing: tracing && {
        ...tracing,
        shutdown: () => {
          stopped ??= tracing.shutdown();
          return stopped;
        },
      },
    };
  }
  return processWide.tracing;
}

/** Tracing as the environment asks for it (see tracingSettingsFromEnv), or undefined when it is off. */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const settings = tracingSettingsFromEnv(env);
  if (!settings) return undefined;
  // The OTLP exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT and _HEADERS itself.
  const exporter = settings.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  return startTracing({ exporter, serviceName: settings.serviceName });
}
