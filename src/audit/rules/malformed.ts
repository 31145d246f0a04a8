// malformed: documents and statements that are not valid IAM policy, and inputs that could not be parsed.
import { KIND_INFO } from '../kinds';
import { arnFormatProblem } from '../policy/grammar/arn-formats';
import type { Statement } from '../policy/normalise';
import type { Finding } from '../types';
import { statementFinding, withoutUndefined, type Rule, type RuleContext } from './rule';

export const MALFORMED_SUFFIX = '(the rest was still audited)';

/** Region and account fields that the catalogue's ARN formats for the service do not allow. */
async function arnFormatFindings(ctx: RuleContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const statements: Statement[] = ctx.documents.flatMap((d) => d.statements);
  for (const statement of statements) {
    for (const [element, values] of [
      ['Resource', statement.resources],
      ['NotResource', statement.notResources],
    ] as const) {
      for (const value of values ?? []) {
        const problem = await arnFormatProblem(value);
        if (problem)
          findings.push(
            statementFinding('malformed', statement, {
              message: `${element} "${value}": ${problem}: fix the statement ${MALFORMED_SUFFIX}`,
            }),
          );
      }
    }
  }
  return findings;
}

export const malformed: Rule = {
  kind: 'malformed',
  async run(ctx) {
    const severity = KIND_INFO.malformed.severity;
    const fromDocuments = ctx.documents.flatMap((doc) =>
      doc.problems.map((p): Finding =>
        withoutUndefined({
          kind: 'malformed',
          severity,
          resource: doc.input.resource,
          statement: p.statement,
          message: `${p.message}: fix the ${p.statement === undefined ? 'document' : 'statement'} ${MALFORMED_SUFFIX}`,
          location: p.location,
        }),
      ),
    );
    return [...fromDocuments, ...(await arnFormatFindings(ctx))];
  },
};
