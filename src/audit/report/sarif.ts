// SARIF 2.1.0 report for GitHub code scanning: one rule per finding kind, locations on files and statement lines.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprint } from '../baseline';
import type { AuditResult } from '../engine';
import { KIND_INFO } from '../kinds';
import { FINDING_KINDS, type Finding, type Severity } from '../types';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
// GitHub maps security-severity > 9.0 to critical, 7.0-8.9 to high, 4.0-6.9 to medium, below to low.
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };
const DOCS = 'docs/audit.md';

function ruleName(kind: string): string {
  return kind.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

const SRCROOT = '%SRCROOT%';

interface ArtifactLocation {
  readonly uri: string;
  readonly uriBaseId?: typeof SRCROOT;
}

/**
 * A file under `root` is a relative reference resolved against `%SRCROOT%`; any other file is an absolute `file:`
 * URI with no base id (SARIF 2.1.0 §3.4.4: a `uriBaseId` is only for relative references).
 */
function artifactLocation(file: string, root: string): ArtifactLocation {
  const path = resolve(file);
  const rel = relative(root, path);
  const outside = rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  if (outside) return { uri: pathToFileURL(path).href };
  return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** SARIF 2.1.0 §3.14.14: the base of `%SRCROOT%` is an absolute URI that ends with a slash. */
function srcRootUri(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** SARIF 2.1.0 §3.35: `external` = kept outside the source; code scanning hides suppressed results. */
interface SarifSuppression {
  readonly kind: 'external';
  readonly status: 'accepted';
  readonly justification: string;
}

function sarifResult(f: Finding, root: string, suppressions: readonly SarifSuppression[] | undefined): Record<string, unknown> {
  const physical = f.location
    ? {
        physicalLocation: {
          artifactLocation: artifactLocation(f.location.file, root),
          ...(f.location.line === undefined ? {} : { region: { startLine: f.location.line } }),
        },
      }
    : {};
  const statement = f.statement === undefined ? '' : `/statement/${f.statement}`;
  return {
    ruleId: f.kind,
    ruleIndex: FINDING_KINDS.indexOf(f.kind),
    level: LEVEL[f.severity],
    message: { text: `${f.resource}${f.statement === undefined ? '' : ` (statement ${JSON.stringify(f.statement)})`}: ${f.message}` },
    locations: [{ ...physical, logicalLocations: [{ fullyQualifiedName: `${f.resource}${statement}`, kind: 'resource' }] }],
    partialFingerprints: { 'meshgateFinding/v1': fingerprint(f) },
    ...(f.baselineState ? { baselineState: f.baselineState } : {}),
    ...(suppressions ? { suppressions } : {}),
    properties: {
      severity: f.severity,
      'security-severity': SECURITY_SEVERITY[f.severity],
      resource: f.resource,
      ...(f.statement === undefined ? {} : { statement: f.statement }),
      ...(f.action ? { action: f.action } : {}),
      ...(f.resourceArn ? { resourceArn: f.resourceArn } : {}),
      ...(f.principal ? { principal: f.principal } : {}),
      ...(f.covers ? { covers: f.covers } : {}),
    },
  };
}

/**
 * Renders SARIF 2.1.0. Files under `root` (the repository checkout; default: the working directory) are relative to
 * `%SRCROOT%` so code scanning links them to the source; files outside it get absolute `file:` URIs. Findings from the
 * live account carry only a logical location.
 *
 * @example
 * // given: import { writeFile } from 'node:fs/promises';
 * // given: declare const result: AuditResult;
 * await writeFile('audit.sarif', renderSarif(result, { version: '0.1.0' }));
 */
export function renderSarif(result: AuditResult, options: { version?: string; root?: string } = {}): string {
  const root = resolve(options.root ?? '.');
  // With suppressions in play every result says whether it is suppressed (SARIF 2.1.0 §3.27.23: [] = not suppressed).
  const suppressed = result.summary.suppressions !== undefined;
  const rules = FINDING_KINDS.map((kind) => {
    const info = KIND_INFO[kind];
    return {
      id: kind,
      name: ruleName(kind),
      shortDescription: { text: info.title },
      fullDescription: { text: info.help },
      help: { text: info.help, markdown: `**${info.title}**\n\n${info.help}\n\nSee \`${DOCS}\`, section \`${kind}\`.` },
      defaultConfiguration: { level: LEVEL[info.severity] },
      properties: {
        'security-severity': SECURITY_SEVERITY[info.severity],
        tags: ['security', 'iam', 'aws'],
        precision: 'high',
        'problem.severity': LEVEL[info.severity] === 'note' ? 'recommendation' : LEVEL[info.severity],
      },
    };
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'meshgate-audit', semanticVersion: options.version ?? '0.0.0', rules } },
        automationDetails: { id: 'meshgate-audit/' },
        originalUriBaseIds: { [SRCROOT]: { uri: srcRootUri(root) } },
        results: [
          ...result.findings.map((f) => sarifResult(f, root, suppressed ? [] : undefined)),
          ...(result.suppressed ?? []).map((f) =>
            sarifResult(f, root, [{ kind: 'external', status: 'accepted', justification: f.suppression.reason }]),
          ),
        ],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
