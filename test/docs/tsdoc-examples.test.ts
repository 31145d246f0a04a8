// The TSDoc `@example`s compile (issue 13). Every `@example` in src/, functions/ and packages/consumer/src/ is
// type-checked with the repository's compiler options (strict, noUncheckedIndexedAccess, paths; unused names allowed)
// as a module of its own next to the module it documents, one Program for all of them. The example sees what a caller
// of that module sees, the module's exports, and what the module itself imports; not its private helpers.
//
// Convention: an example states what it takes as given in leading lines of the form
//
//   // given: declare const request: IngressRequest, route: Route;
//   // given: import { IAMClient } from '@aws-sdk/client-iam';
//
// They read as comments in the rendered doc and compile as code (the `// given: ` prefix is dropped). A given is an
// import, a `declare`, a type or an interface, and a declared given has a real type, never `any`. Any other free
// identifier is an error. Top-level `await` works (the example is a module). A result in a trailing comment is also
// checked, by running the statement, when it is a plain literal and the statement reads only the module's exports and
// globals: `canonicalQuery([['b', '2'], ['a', 'x y']]) // 'a=x%20y&b=2'`. Elided results (`…`, `...`) are not.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
const SCANNED = ['src', 'functions', 'packages/consumer/src'];
const GIVEN = /^\/\/ given: (.*)$/;
/** A result comment that is checked: one string, number or boolean literal, not elided. */
const LITERAL = /^(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d[\d_]*(?:\.\d+)?|true|false|null)$/;

interface Example {
  /** Repository-relative path of the documented module, with `/`. */
  readonly file: string;
  /** What the example documents: `verifiedIdentityOf`, `IssuerVerifiers.verify`. */
  readonly name: string;
  /** The example's lines with any leading `*` stripped, and the 1-based source line of each. */
  readonly lines: readonly string[];
  readonly lineNumbers: readonly number[];
  /** Absolute path of the generated module, and the number of header lines before the example's first line. */
  virtualPath: string;
  headerLines: number;
  /** Indexes into `lines` of the `// given:` lines. */
  readonly givenLines: Set<number>;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function posixRelative(path: string): string {
  return relative(ROOT, path).split(sep).join('/');
}

/** The name a TSDoc comment documents: `fn`, `Class`, `Class.member`, `Class constructor`. */
function declarationName(node: ts.Node): string {
  const own = (n: ts.Node): string | undefined => {
    if (ts.isVariableStatement(n)) return n.declarationList.declarations[0]?.name.getText();
    if (ts.isConstructorDeclaration(n)) return 'constructor';
    const name = (n as { name?: ts.Node }).name;
    return name ? name.getText() : undefined;
  };
  const parent = node.parent as ts.Node | undefined;
  const container = parent && (ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent)) ? own(parent) : undefined;
  const self = own(node) ?? ts.SyntaxKind[node.kind];
  return container === undefined ? self : self === 'constructor' ? `${container} constructor` : `${container}.${self}`;
}

/** Every `@example` of one file, its lines taken from the source text so that line numbers are exact. */
function examplesOf(sf: ts.SourceFile): Example[] {
  const { fileName: path, text } = sf;
  const found: Example[] = [];
  const visit = (node: ts.Node): void => {
    // The parser attaches each TSDoc comment to the node it documents (`jsDoc` is not in the public typings).
    for (const doc of (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
      for (const tag of doc.tags ?? []) {
        if (tag.tagName.text !== 'example') continue;
        let raw = text.slice(tag.tagName.end, tag.end);
        const close = raw.indexOf('*/');
        if (close >= 0) raw = raw.slice(0, close);
        const firstLine = sf.getLineAndCharacterOfPosition(tag.tagName.end).line + 1;
        const lines: string[] = [];
        const lineNumbers: number[] = [];
        raw.split('\n').forEach((line, i) => {
          const code = (i === 0 ? line : line.replace(/^\s*\*( |$)/, '')).trimEnd();
          if (lines.length === 0 && code.trim() === '') return;
          lines.push(code.replace(/^```\w*$/, ''));
          lineNumbers.push(firstLine + i);
        });
        while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') {
          lines.pop();
          lineNumbers.pop();
        }
        found.push({
          file: posixRelative(path),
          name: declarationName(node),
          lines,
          lineNumbers,
          virtualPath: '',
          headerLines: 0,
          givenLines: new Set(),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function addBindingNames(name: ts.BindingName, names: Set<string>): void {
  if (ts.isIdentifier(name)) names.add(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBindingNames(el.name, names);
}

/** The names an example declares at its top level (its givens included): these are not imported from the module. */
function declaredNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) st.declarationList.declarations.forEach((d) => addBindingNames(d.name, names));
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const { name, namedBindings } = st.importClause;
      if (name) names.add(name.text);
      if (namedBindings && ts.isNamespaceImport(namedBindings)) names.add(namedBindings.name.text);
      if (namedBindings && ts.isNamedImports(namedBindings)) namedBindings.elements.forEach((e) => names.add(e.name.text));
    } else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name
    ) {
      names.add(st.name.text);
    }
  }
  return names;
}

function identifiersIn(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

/** The module's own imports, one binding a line, as `name → import line` (what the module's code sees by name). */
function importsOf(sf: ts.SourceFile): Map<string, string> {
  const lines = new Map<string, string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause) continue;
    const from = st.moduleSpecifier.getText(sf);
    const type = st.importClause.isTypeOnly ? 'type ' : '';
    const { name, namedBindings } = st.importClause;
    if (name) lines.set(name.text, `import ${type}${name.text} from ${from};`);
    if (namedBindings && ts.isNamespaceImport(namedBindings)) {
      lines.set(namedBindings.name.text, `import ${type}* as ${namedBindings.name.text} from ${from};`);
    }
    if (namedBindings && ts.isNamedImports(namedBindings)) {
      for (const el of namedBindings.elements) lines.set(el.name.text, `import ${type}{ ${el.getText(sf)} } from ${from};`);
    }
  }
  return lines;
}

/** The names a module exports, read from its syntax (`export * from` followed), so that one Program does. */
function exportsOf(sf: ts.SourceFile, options: ts.CompilerOptions): Set<string> {
  const names = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st)) {
      if (st.exportClause === undefined && ts.isStringLiteral(st.moduleSpecifier!)) {
        const target = ts.resolveModuleName(st.moduleSpecifier.text, sf.fileName, options, ts.sys).resolvedModule?.resolvedFileName;
        if (target === undefined) throw new Error(`${sf.fileName}: cannot resolve ${st.moduleSpecifier.text}`);
        const targetFile = ts.createSourceFile(target, readFileSync(target, 'utf8'), ts.ScriptTarget.Latest, true);
        exportsOf(targetFile, options).forEach((n) => names.add(n));
      } else if (st.exportClause && ts.isNamedExports(st.exportClause)) {
        st.exportClause.elements.forEach((el) => names.add(el.name.text));
      } else if (st.exportClause) {
        names.add(st.exportClause.name.text);
      }
      continue;
    }
    const modifiers = ts.canHaveModifiers(st) ? (ts.getModifiers(st) ?? []) : [];
    if (!modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) || modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword))
      continue;
    if (ts.isVariableStatement(st)) st.declarationList.declarations.forEach((d) => addBindingNames(d.name, names));
    else if (ts.isDeclarationStatement(st) && st.name && ts.isIdentifier(st.name)) names.add(st.name.text);
  }
  return names;
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath);
  // An example shows a call and names its result without necessarily using it.
  return { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
}

/** A compiler host that also serves the generated examples, from memory. */
function hostWith(options: ts.CompilerOptions, virtual: ReadonlyMap<string, string>): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  return {
    ...host,
    fileExists: (f) => virtual.has(f) || host.fileExists(f),
    readFile: (f) => virtual.get(f) ?? host.readFile(f),
    getSourceFile: (f, languageVersion, onError) => {
      const text = virtual.get(f);
      return text === undefined ? host.getSourceFile(f, languageVersion, onError) : ts.createSourceFile(f, text, languageVersion, true);
    },
  };
}

/** A statement whose trailing comment states its value. */
interface ResultCheck {
  readonly where: string;
  readonly modulePath: string;
  /** The statement, compiled to JavaScript, and the names it reads (module exports or globals). */
  readonly script: string;
  readonly names: readonly string[];
  readonly expected: string;
}

/** The identifiers an expression reads: not property names, which are part of the value read. */
function referencesIn(node: ts.Node): string[] {
  const names: string[] = [];
  const visit = (n: ts.Node): void => {
    const parent = n.parent as ts.Node | undefined;
    const isPropertyName =
      parent !== undefined &&
      ((ts.isPropertyAccessExpression(parent) && parent.name === n) || (ts.isPropertyAssignment(parent) && parent.name === n));
    if (ts.isIdentifier(n) && !isPropertyName) names.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

function containsAwait(node: ts.Node): boolean {
  return ts.isAwaitExpression(node) || (ts.forEachChild(node, containsAwait) ?? false);
}

/** The statements of an example whose trailing `// <literal>` comment can be checked by running them. */
function resultChecks(ex: Example, parsed: ts.SourceFile, exported: ReadonlySet<string>, declared: ReadonlySet<string>): ResultCheck[] {
  const checks: ResultCheck[] = [];
  for (const st of parsed.statements) {
    if (!ts.isExpressionStatement(st)) continue;
    const comment = ts.getTrailingCommentRanges(parsed.text, st.end)?.[0];
    if (comment?.kind !== ts.SyntaxKind.SingleLineCommentTrivia) continue;
    const expected = parsed.text.slice(comment.pos + 2, comment.end).trim();
    if (!LITERAL.test(expected) || expected.includes('…') || expected.includes('...')) continue;
    const names = [...new Set(referencesIn(st.expression))];
    const readable = (n: string): boolean => !declared.has(n) && (exported.has(n) || n in globalThis);
    if (!names.every(readable) || containsAwait(st)) continue;
    checks.push({
      where: `${ex.file}:${ex.lineNumbers[parsed.getLineAndCharacterOfPosition(st.getStart(parsed)).line]}: example of ${ex.name}`,
      modulePath: join(ROOT, ex.file),
      script: ts.transpile(st.getText(parsed), { target: ts.ScriptTarget.ES2022 }),
      names,
      expected,
    });
  }
  return checks;
}

interface Checked {
  readonly examples: readonly Example[];
  /** `@example` tags counted in the raw text, to show that the parser found them all. */
  readonly tagsInText: number;
  /** `file:line: example of <name>: <diagnostic>`, by documented file. */
  readonly failures: ReadonlyMap<string, string[]>;
  readonly results: readonly ResultCheck[];
}

function checkExamples(): Checked {
  const files = SCANNED.flatMap((dir) => walk(join(ROOT, dir))).sort();
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const sources = new Map(files.map((f) => [f, ts.createSourceFile(f, texts.get(f)!, ts.ScriptTarget.Latest, true)]));
  const examples = files.flatMap((f) => examplesOf(sources.get(f)!));
  const tagsInText = [...texts.values()].reduce((n, text) => n + (text.match(/^\s*\/?\*\*?.*@example\b/gm)?.length ?? 0), 0);
  const failures = new Map<string, string[]>();
  const fail = (ex: Example, line: number, message: string): void => {
    const list = failures.get(ex.file) ?? [];
    list.push(`${ex.file}:${line}: example of ${ex.name}: ${message}`);
    failures.set(ex.file, list);
  };

  const options = compilerOptions();
  const virtual = new Map<string, string>();
  const counter = new Map<string, number>();
  const exportsByModule = new Map<string, Set<string>>();
  const results: ResultCheck[] = [];
  for (const ex of examples) {
    const modulePath = join(ROOT, ex.file);
    let seenCode = false;
    const body = ex.lines.map((line, i) => {
      const given = GIVEN.exec(line.trim());
      if (given && seenCode) fail(ex, ex.lineNumbers[i]!, 'a `// given:` line must come before the example code');
      if (given) ex.givenLines.add(i);
      else if (line.trim() !== '') seenCode = true;
      return given ? given[1]! : line;
    });
    const bodyText = body.join('\n');
    const parsed = ts.createSourceFile('example.ts', bodyText, ts.ScriptTarget.Latest, true);
    const declared = declaredNames(parsed);
    const used = [...identifiersIn(parsed)].filter((n) => !declared.has(n));
    const moduleImports = importsOf(sources.get(modulePath)!);
    const exported = exportsByModule.get(modulePath) ?? exportsOf(sources.get(modulePath)!, options);
    exportsByModule.set(modulePath, exported);
    results.push(...resultChecks(ex, parsed, exported, declared));
    const specifier = `./${basename(modulePath, '.ts')}`;
    const header = [
      ...used.filter((n) => moduleImports.has(n)).map((n) => moduleImports.get(n)!),
      ...used.filter((n) => !moduleImports.has(n) && exported.has(n)).map((n) => `import { ${n} } from '${specifier}';`),
      'export {};',
    ];
    const n = (counter.get(modulePath) ?? 0) + 1;
    counter.set(modulePath, n);
    ex.virtualPath = join(dirname(modulePath), `${basename(modulePath, '.ts')}.tsdoc-example-${n}.ts`);
    ex.headerLines = header.length;
    virtual.set(ex.virtualPath, `${header.join('\n')}\n${bodyText}\n`);
  }

  // One Program for every example: the modules they import are parsed and bound once.
  const program = ts.createProgram([...virtual.keys()], options, hostWith(options, virtual));
  const checker = program.getTypeChecker();
  for (const ex of examples) {
    const sf = program.getSourceFile(ex.virtualPath)!;
    const sourceLine = (pos: number): number => {
      const line = sf.getLineAndCharacterOfPosition(pos).line - ex.headerLines;
      return ex.lineNumbers[Math.max(0, Math.min(line, ex.lineNumbers.length - 1))]!;
    };
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      fail(ex, sourceLine(d.start ?? 0), `${ts.flattenDiagnosticMessageText(d.messageText, '\n').replace(/\s*\n\s*/g, ' ')} (TS${d.code})`);
    }
    // A given only states context (an import, a declaration, a type), and with a real type: `any` lets anything through.
    for (const st of sf.statements) {
      if (!ex.givenLines.has(sf.getLineAndCharacterOfPosition(st.getStart(sf)).line - ex.headerLines)) continue;
      const declares = ts.isVariableStatement(st) && st.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
      if (!declares && !ts.isImportDeclaration(st) && !ts.isTypeAliasDeclaration(st) && !ts.isInterfaceDeclaration(st)) {
        fail(ex, sourceLine(st.getStart(sf)), 'a given is an import, a `declare`, a type or an interface');
      }
      if (!ts.isVariableStatement(st)) continue;
      for (const decl of st.declarationList.declarations) {
        if (checker.getTypeAtLocation(decl.name).flags & ts.TypeFlags.Any) {
          fail(ex, sourceLine(decl.getStart(sf)), `given ${decl.name.getText(sf)} is typed any: declare it with a real type`);
        }
      }
    }
  }
  return { examples, tagsInText, failures, results };
}

const checked = checkExamples();

describe('TSDoc @example blocks compile', () => {
  it(`finds all ${checked.examples.length} @examples in src/, functions/ and packages/consumer/src/`, () => {
    assert.equal(checked.examples.length, checked.tagsInText);
    assert.ok(checked.examples.length >= 90, `only ${checked.examples.length} examples found`);
  });

  it(`gives the ${checked.results.length} results stated as literals in trailing comments`, () => {
    const wrong: string[] = [];
    for (const check of checked.results) {
      const exports = require(check.modulePath) as Record<string, unknown>;
      const scope = Object.fromEntries(check.names.map((n) => [n, n in exports ? exports[n] : (globalThis as Record<string, unknown>)[n]]));
      let actual: unknown;
      try {
        actual = runInNewContext(check.script, scope);
      } catch (err) {
        actual = `throws ${(err as Error).message}`;
      }
      const expected: unknown = runInNewContext(check.expected);
      if (!Object.is(actual, expected)) wrong.push(`${check.where}: gives ${JSON.stringify(actual)}, the comment says ${check.expected}`);
    }
    if (wrong.length > 0) assert.fail(wrong.join('\n'));
  });

  const files = [...new Set(checked.examples.map((ex) => ex.file))];
  for (const file of files) {
    const count = checked.examples.filter((ex) => ex.file === file).length;
    it(`${file} (${count} example${count === 1 ? '' : 's'})`, () => {
      const failures = checked.failures.get(file) ?? [];
      if (failures.length > 0) assert.fail(failures.join('\n'));
    });
  }
});
