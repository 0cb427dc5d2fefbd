// The deploy files as loosely typed data — compose services and Kubernetes containers — and the
// readers the deploy checks share (scripts/checkDeploy.ts, scripts/checkDeployApi.ts).

export type Doc = Record<string, unknown>;
export type Service = Doc;

export const COMPOSE = 'docker-compose.yml';

export const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObject = (v: unknown): Doc => (isObject(v) ? v : {});
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : '';

/** The port of `host:port` or `scheme://host:port`. */
export const portOf = (address: string | null | undefined): number | undefined => {
  const match = /:(\d+)$/.exec(address ?? '');
  return match ? Number(match[1]) : undefined;
};

/** Container ports a compose service makes reachable to the others (expose, and ports' targets). */
export function servicePorts(service: Service): Set<number> {
  const ports = new Set<number>();
  for (const entry of asArray(service.expose)) ports.add(Number.parseInt(asString(entry), 10));
  for (const entry of asArray(service.ports)) {
    if (isObject(entry)) ports.add(Number(entry.target));
    else ports.add(Number.parseInt(asString(entry).split(':').at(-1) ?? '', 10));
  }
  return ports;
}

/** Host port → container port of each `ports` entry that publishes a fixed host port. */
export function publishedPorts(service: Service): Map<number, number> {
  const published = new Map<number, number>();
  for (const entry of asArray(service.ports)) {
    if (isObject(entry)) {
      if (entry.published !== undefined) published.set(Number(entry.published), Number(entry.target));
      continue;
    }
    const parts = asString(entry).split('/')[0]?.split(':') ?? [];
    if (parts.length < 2) continue; // "8080" alone: a random host port
    published.set(Number(parts.at(-2)), Number(parts.at(-1)));
  }
  return published;
}

/** A compose service's environment; `null` for a variable passed through from the host. */
export function environment(service: Service): Record<string, string | null> {
  const env = service.environment;
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((e) => {
        const [key = '', ...value] = asString(e).split('=');
        return [key, value.length ? value.join('=') : null];
      }),
    );
  return Object.fromEntries(
    Object.entries(asObject(env)).map(([k, v]) => [k, v === null ? null : asString(v)]),
  );
}

/** `./deploy/x:/target:ro` bind mounts as source (relative to root) → target. */
export function bindMounts(service: Service): { source: string; target: string }[] {
  return asArray(service.volumes).flatMap((v) => {
    const [source = '', target = ''] = asString(v).split(':');
    return source.startsWith('.') ? [{ source, target }] : [];
  });
}

/** Names of the services a compose service depends on (list or map form). */
export function dependencies(service: Service): string[] {
  const dependsOn = Array.isArray(service.depends_on)
    ? service.depends_on
    : Object.keys(asObject(service.depends_on));
  return dependsOn.map(asString);
}

/** What a compose service or a Kubernetes container runs (entrypoint/command/args), as one line. */
export function commandLine(spec: Doc): string {
  return [spec.entrypoint, spec.command, spec.args]
    .flatMap((part) => (Array.isArray(part) ? part : [part]))
    .map(asString)
    .join(' ')
    .trim();
}

/** The first container of a Deployment's pod template. */
export function firstContainer(deployment: Doc): Doc | undefined {
  const template = asObject(asObject(deployment.spec).template);
  const container = asArray(asObject(template.spec).containers)[0];
  return container === undefined ? undefined : asObject(container);
}

/** A container's env entries by name (`{ name, value }` or `{ name, valueFrom }`). */
export function containerEnv(container: Doc): Map<string, Doc> {
  return new Map(asArray(container.env).map((e) => [asString(asObject(e).name), asObject(e)]));
}

/** A container port by number or by name, as probes and Services refer to it. */
export function containerPort(container: Doc, port: unknown): number {
  if (typeof port === 'number') return port;
  const named = asArray(container.ports)
    .map(asObject)
    .find((p) => p.name === port);
  return named ? Number(named.containerPort) : Number.NaN;
}
