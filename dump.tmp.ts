// Dumps every finding on the moto managed policies, one line each, for comparing two trees.
import { writeFileSync } from 'node:fs';
import { readMotoManagedPolicies } from './scripts/aws-managed-policies';
import { runAudit } from './src/audit/engine';
import { emptyInput } from './src/audit/types';

void (async () => {
  const lines: string[] = [];
  for (const p of readMotoManagedPolicies().policies) {
    const input = emptyInput();
    input.documents.push({ id: p.name, resource: p.name, policyKind: 'identity', document: p.document });
    for (const f of (await runAudit(input)).findings) lines.push(`${p.name}|${String(f.statement)}|${f.kind}|${f.severity}|${f.actions?.count ?? ''}|${f.message}`);
  }
  writeFileSync(process.argv[2]!, lines.join('\n') + '\n');
})();
