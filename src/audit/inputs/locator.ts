// Finds the line of a node in a JSON or YAML file (JSON is YAML, so one parser with a LineCounter serves both).
import { isNode, LineCounter, parseDocument, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';
import type { Locate } from '../types';

export interface ParsedSource {
  readonly value: unknown;
  readonly locate: Locate;
  readonly errors: readonly string[];
}

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** Parses `text` keeping positions; `locate(path)` answers the 1-based line of the node at `path`. */
export function parseWithPositions(text: string, options: Options = {}): ParsedSource {
  const lineCounter = new LineCounter();
  const doc: Document.Parsed = parseDocument(text, { ...options, lineCounter, prettyErrors: false, uniqueKeys: false });
  const locate: Locate = (path) => {
    const node: unknown = doc.getIn(path, true);
    if (!isNode(node) || !node.range) return undefined;
    return lineCounter.linePos(node.range[0]).line;
  };
  return {
    value: doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined,
    locate,
    errors: doc.errors.map((e) => e.message),
  };
}
