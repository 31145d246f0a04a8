// malformed: documents and statements that are not valid IAM policy, and inputs that could not be parsed.
import { KIND_INFO } from '../kinds';
import type { Finding } from '../types';
import { withoutUndefined, type Rule } from './rule';

export const malformed: Rule = {
  kind: 'malformed',
  run(ctx) {
    const severity = KIND_INFO.malformed.severity;
    const fromDocuments = ctx.documents.flatMap((doc) =>
      doc.problems.map((p): Finding =>
        withoutUndefined({
          kind: 'malformed',
          severity,
          resource: doc.input.resource,
          statement: p.statement,
          message: `${p.message}: fix the ${p.statement === undefined ? 'document' : 'statement'} (the rest was still audited)`,
          location: p.location,
        }),
      ),
    );
    const fromInputs = ctx.input.problems.map((p): Finding =>
      withoutUndefined({ kind: 'malformed', severity, resource: p.resource, message: p.message, location: p.location }),
    );
    return [...fromInputs, ...fromDocuments];
  },
};
