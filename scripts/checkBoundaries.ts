// CI's check that the rooms keep their doors (README, "Layout"): workflow code imports values only
// from the workflow SDK, common/ and itself; the domain (core/) never reaches up into activities/,
// workers/, the HTTP API, the client or the CLI; common/ imports nothing of ours but common/; and
// nothing outside core/providers/ names a provider, by SDK import or by a provider's name in a
// string. A line may opt out with a `boundary-ok: <why>` comment on it or the line above.
// Usage: node --import tsx scripts/checkBoundaries.ts [root]; exits 1 listing every violation.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { providerKinds } from '../core/providers/kinds.js';

export interface Violation {
  file: string;
  line: number;
  rule: string;
  detail: string;
}

/** The folders whose code ships; tests, benchmarks, scripts and the emulator are not checked. */
const PRODUCT = [
  'workflows',
  'activities',
  'core',
  'common',
  'config',
  'workers',
  'client',
  'api',
  'cli',
  'codec',
];
const PROVIDER_SDKS = ['openai', '@anthropic-ai/sdk'];
const WORKFLOW_PACKAGES = ['@temporalio/workflow', '@temporalio/common'];

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|cts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(source: ts.SourceFile): ImportRef[] {
  const refs: ImportRef[] = [];
  const lineOf = (node: ts.Node): number =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes =
        named !== undefined && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && allNamedTypes));
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly, line: lineOf(node) });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const named = node.exportClause;
      const allNamedTypes =
        named !== undefined && ts.isNamedExports(named) && named.elements.every((e) => e.isTypeOnly);
      refs.push({
        specifier: node.moduleSpecifier.text,
        typeOnly: node.isTypeOnly || allNamedTypes,
        line: lineOf(node),
      });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      refs.push({ specifier: node.arguments[0].text, typeOnly: false, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** The top-level folder a relative import lands in, or undefined for a package. */
function targetFolder(root: string, file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(root, resolve(dirname(file), specifier)).split(/[\\/]/)[0];
}

function optedOut(lines: readonly string[], line: number): boolean {
  return [lines[line - 1], lines[line - 2]].some((text) => text?.includes('boundary-ok:'));
}

function providerNamesIn(source: ts.SourceFile): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  const names = new Set<string>(Object.keys(providerKinds));
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && names.has(node.text)) {
      // The specifier of an import is checked as an import, not as a name.
      if (!ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent)) {
        found.push({
          name: node.text,
          line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function checkBoundaries(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const folder of PRODUCT) {
    let files: string[];
    try {
      files = sourceFiles(join(root, folder));
    } catch {
      continue;
    }
    for (const file of files) {
      const rel = relative(root, file);
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const report = (line: number, rule: string, detail: string): void => {
        if (!optedOut(lines, line)) violations.push({ file: rel, line, rule, detail });
      };
      const inProviders = rel.startsWith(join('core', 'providers'));
      for (const ref of importsOf(source)) {
        const target = targetFolder(root, file, ref.specifier);
        if (folder === 'workflows' && !ref.typeOnly) {
          const allowed = target
            ? target === 'workflows' || target === 'common'
            : WORKFLOW_PACKAGES.includes(ref.specifier);
          if (!allowed) {
            report(ref.line, 'workflow-value-import', `workflow code imports a value from ${ref.specifier}`);
          }
        }
        if (
          folder === 'core' &&
          target &&
          ['activities', 'workers', 'api', 'client', 'cli'].includes(target)
        ) {
          report(ref.line, 'domain-reaches-up', `the domain imports ${ref.specifier} (${target}/)`);
        }
        if (folder === 'common' && target && target !== 'common') {
          report(ref.line, 'common-imports-ours', `common/ imports ${ref.specifier}`);
        }
        const sdk = PROVIDER_SDKS.some((p) => ref.specifier === p || ref.specifier.startsWith(`${p}/`));
        if (sdk && !inProviders) {
          report(ref.line, 'provider-outside-providers', `imports the provider SDK ${ref.specifier}`);
        }
      }
      if (!inProviders) {
        for (const { name, line } of providerNamesIn(source)) {
          report(line, 'provider-outside-providers', `names the provider "${name}"`);
        }
      }
    }
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
  const violations = checkBoundaries(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.rule}: ${v.detail}`);
  if (violations.length > 0) {
    console.error(
      `${violations.length} boundary violation(s); see README "Layout" for which room may import what`,
    );
    process.exit(1);
  }
  console.log('boundaries hold');
}
