// Imports run one way (STYLE.md "Imports run one way"): lower layers (errors, observability, config readers, http)
// import nothing above them; domains import lower layers; functions/ and cli/ wire domains together; the consumer
// package that mesh services install carries nothing of the Lambda side.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

interface ImportEdge {
  /** Importing file, repository-relative with `/`. */
  readonly file: string;
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** Repository-relative path the specifier resolves to (no extension), or `pkg:<name>` for a package. */
  readonly target: string;
}

interface Rule {
  readonly name: string;
  readonly appliesTo: (file: string) => boolean;
  /** Why the edge is forbidden, or undefined when it is allowed. */
  readonly check: (edge: ImportEdge) => string | undefined;
}

const DOMAINS = ['auth', 'ingress', 'exchange', 'keys', 'routes', 'rotation', 'audit'] as const;
const WIRING = ['cli', 'local', 'demo'] as const;
const LAMBDA_SIDE = ['auth', 'ingress', 'exchange', 'rotation', 'audit', 'observability'] as const;
const LAMBDA_PACKAGES = ['@aws-sdk/', '@aws-lambda-powertools/'] as const;
const CONSUMER_DIRS = ['packages/consumer/src/'] as const;

/** `src/auth/verifiers` → `auth`, `src/observability` → `observability`; undefined outside src/. */
function srcAreaOf(target: string): string | undefined {
  if (!target.startsWith('src/')) return undefined;
  return target.split('/')[1]!.replace(/\.(d\.ts|ts|js|json)$/, '');
}

/** Every import, `export … from`, `import type`, `import()` and `require()` specifier of one file, resolved. */
function importsOf(file: string, text: string): ImportEdge[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((ref) => ({
    file,
    line: text.slice(0, ref.pos).split('\n').length,
    specifier: ref.fileName,
    target: ref.fileName.startsWith('.')
      ? posix.normalize(posix.join(posix.dirname(file), ref.fileName)).replace(/\.(ts|js)$/, '')
      : `pkg:${ref.fileName}`,
  }));
}

const inArea =
  (areas: readonly string[]) =>
  (edge: ImportEdge): string | undefined => {
    const area = srcAreaOf(edge.target);
    return area !== undefined && areas.includes(area) ? `src/${area}` : undefined;
  };

const RULES: readonly Rule[] = [
  {
    name: 'src/config holds readers only (env getters, JSON checks): it imports no domain and no wiring',
    appliesTo: (file) => file.startsWith('src/config/'),
    check: inArea([...DOMAINS, ...WIRING]),
  },
  {
    name: 'lower layers (errors, observability, http) import no domain and no wiring',
    appliesTo: (file) => file === 'src/errors.ts' || file === 'src/observability.ts' || file.startsWith('src/http/'),
    check: inArea([...DOMAINS, ...WIRING]),
  },
  {
    name: 'domains import no wiring (cli, local, demo)',
    appliesTo: (file) => DOMAINS.some((d) => file.startsWith(`src/${d}/`)),
    check: inArea(WIRING),
  },
  {
    name: 'nothing under src/ imports functions/ (each function wires src/, never the other way)',
    appliesTo: (file) => file.startsWith('src/'),
    check: (edge) => (edge.target === 'functions' || edge.target.startsWith('functions/') ? 'functions/' : undefined),
  },
  {
    name: 'the consumer imports nothing of the Lambda side (auth, ingress, rotation, audit, observability, AWS SDK, Powertools)',
    appliesTo: (file) => CONSUMER_DIRS.some((dir) => file.startsWith(dir)),
    check: (edge) => inArea(LAMBDA_SIDE)(edge) ?? LAMBDA_PACKAGES.find((p) => edge.target.startsWith(`pkg:${p}`)),
  },
  {
    name: 'packages/consumer has zero runtime dependencies: node: built-ins and its own files only',
    appliesTo: (file) => file.startsWith('packages/consumer/src/'),
    check: (edge) => {
      if (edge.target.startsWith('pkg:')) return edge.target.startsWith('pkg:node:') ? undefined : edge.target.slice(4);
      return edge.target.startsWith('packages/consumer/src/') ? undefined : edge.target;
    },
  },
];

/** One line per forbidden edge: `file:line imports 'specifier' (what it reaches): rule`. */
function violations(edges: readonly ImportEdge[], rules: readonly Rule[] = RULES): string[] {
  const found: string[] = [];
  for (const edge of edges) {
    for (const rule of rules) {
      if (!rule.appliesTo(edge.file)) continue;
      const reached = rule.check(edge);
      if (reached !== undefined) found.push(`${edge.file}:${edge.line} imports '${edge.specifier}' (${reached}): ${rule.name}`);
    }
  }
  return found;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : walk(path);
    return path.endsWith('.ts') ? [path.split('\\').join('/')] : [];
  });
}

function repositoryEdges(): ImportEdge[] {
  return [...walk('src'), ...walk('packages/consumer/src')].flatMap((file) => importsOf(file, readFileSync(file, 'utf8')));
}

describe('Import direction', () => {
  const edges = repositoryEdges();

  it('reads the import graph (so an empty graph cannot pass)', () => {
    assert.ok(edges.length > 200, `only ${edges.length} imports found under src/`);
    const has = (file: string, target: string) => edges.some((e) => e.file === file && e.target === target);
    assert.ok(has('src/auth/authorizer.ts', 'src/auth/authorizer-config'), 'an `import type` is read');
    assert.ok(has('src/config/issuers.ts', 'src/config/check'), 'a multi-line import is read');
  });

  it('runs one way: no file under src/ (or packages/consumer) imports against the layering', () => {
    const found = violations(edges);
    assert.deepEqual(found, [], `imports against the layering:\n  ${found.join('\n  ')}`);
  });
});

describe('Function: violations (each rule can fail)', () => {
  const edge = (file: string, specifier: string) => importsOf(file, `import { x } from '${specifier}';\n`);

  it('names the file, line and import that break a rule', () => {
    const found = violations(
      importsOf(
        'src/config/env.ts',
        `import { ConfigError } from '../errors';\nimport type { RouteTable } from '../routes/route-table';\n`,
      ),
    );
    assert.deepEqual(found, [`src/config/env.ts:2 imports '../routes/route-table' (src/routes): ${RULES[0]!.name}`]);
  });

  it('finds every kind of forbidden edge', () => {
    const bad = [
      edge('src/config/check.ts', '../auth/verifiers'),
      edge('src/config/issuers.ts', '../cli/main'),
      edge('src/http/problem.ts', '../ingress/request'),
      edge('src/observability.ts', './keys/key-set'),
      edge('src/keys/jwks.ts', '../demo/mesh-service'),
      edge('src/auth/authorizer.ts', '../../functions/authorizer/config'),
      edge('packages/consumer/src/verifier.ts', '../../../src/auth/identity'),
      edge('packages/consumer/src/verifier.ts', '@aws-sdk/client-secrets-manager'),
      edge('packages/consumer/src/index.ts', '@aws-lambda-powertools/logger'),
      edge('packages/consumer/src/index.ts', 'yaml'),
      edge('packages/consumer/src/index.ts', '../../../src/errors'),
    ];
    for (const edges of bad) assert.equal(violations(edges).length >= 1, true, `${edges[0]!.file} → ${edges[0]!.specifier}`);
    const dynamic = importsOf(
      'src/config/env.ts',
      `export async function f() { return import('../rotation/steps'); }\nexport * from '../audit';\n`,
    );
    assert.equal(violations(dynamic).length, 2);
  });

  it('allows what the layering allows', () => {
    const good = [
      edge('src/config/issuers.ts', './check'),
      edge('src/config/env.ts', '../errors'),
      edge('src/auth/verifiers.ts', '../config/issuers'),
      edge('src/ingress/pipeline.ts', '../keys/key-store'),
      edge('src/cli/start.ts', '../demo/mesh-service'),
      edge('packages/consumer/src/verifier.ts', 'node:crypto'),
      edge('packages/consumer/src/verifier.ts', './jws'),
    ];
    for (const edges of good) assert.deepEqual(violations(edges), []);
  });
});
