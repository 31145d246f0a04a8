// Rule: privilege-escalation, including self-scoped credentials and combined methods across one principal's policies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESCALATION_METHODS } from '../../src/audit/escalation-methods';
import { emptyInput } from '../../src/audit/types';
import { allow, auditInput, deny, findingsOf, policy } from './support';

const SELF = 'arn:aws:iam::123456789012:user/${aws:username}';

describe('Rule: privilege-escalation', () => {
  it('reports each single-permission method with its pathfinding.cloud id', async () => {
    const [finding] = await findingsOf('privilege-escalation', policy(allow('iam:CreatePolicyVersion')));
    assert.match(finding!.message, /iam-001/);
    assert.equal(finding!.severity, 'high');
  });

  it('expands iam:Put* to the put-policy methods', async () => {
    const [finding] = await findingsOf('privilege-escalation', policy(allow('iam:Put*', 'arn:aws:iam::123456789012:role/app')));
    assert.match(finding!.message, /iam-005.*iam-007.*iam-011/);
  });

  it('does not report credential actions scoped to ${aws:username}', async () => {
    const doc = policy(allow(['iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'], SELF));
    assert.deepEqual(await findingsOf('privilege-escalation', doc), []);
  });

  it('reports putting or attaching a policy on oneself', async () => {
    const found = await findingsOf('privilege-escalation', policy(allow(['iam:PutUserPolicy', 'iam:AttachUserPolicy'], SELF)));
    assert.match(found[0]!.message, /iam-007/);
    assert.match(found[0]!.message, /iam-008/);
  });

  it('reports credential actions on other users', async () => {
    assert.equal(
      (await findingsOf('privilege-escalation', policy(allow('iam:CreateAccessKey', 'arn:aws:iam::123456789012:user/*')))).length,
      1,
    );
  });

  it('is removed by a Deny that covers the action', async () => {
    assert.deepEqual(
      await findingsOf('privilege-escalation', policy(allow('iam:*', 'arn:aws:iam::123456789012:role/x'), deny('iam:*'))),
      [],
    );
  });

  it('needs every permission of a combined method in one document', async () => {
    assert.deepEqual(await findingsOf('privilege-escalation', policy(allow(['iam:PassRole', 'lambda:CreateFunction']))), []);
    const [finding] = await findingsOf(
      'privilege-escalation',
      policy(allow('iam:PassRole', 'arn:aws:iam::1:role/fn'), allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])),
    );
    assert.match(finding!.message, /lambda-001/);
  });

  it("combines one principal's policies, and not other principals'", async () => {
    const input = emptyInput();
    input.documents.push(
      { id: 'pass', resource: 'pass', policyKind: 'identity', document: policy(allow('iam:PassRole')), principals: ['role/a'] },
      {
        id: 'create',
        resource: 'create',
        policyKind: 'identity',
        document: policy(allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])),
        principals: ['role/a'],
      },
      {
        id: 'other',
        resource: 'other',
        policyKind: 'identity',
        document: policy(allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])),
        principals: ['role/b'],
      },
    );
    const found = (await auditInput(input)).filter((f) => f.kind === 'privilege-escalation');
    assert.deepEqual(
      found.map((f) => [f.resource, f.principal]),
      [['role/a', 'role/a']],
    );
    assert.match(found[0]!.message, /across create, pass|across pass, create/);
  });

  it('names the target service of every method that passes a role, in both partitions', () => {
    const passing = ESCALATION_METHODS.filter((m) => m.permissions.includes('iam:PassRole'));
    assert.deepEqual(
      passing.filter((m) => !m.passTo?.some((s) => s.endsWith('.amazonaws.com')) || !m.passTo.some((s) => s.endsWith('.amazonaws.com.cn'))),
      [],
    );
    assert.ok(ESCALATION_METHODS.every((m) => m.passTo === undefined || m.permissions.includes('iam:PassRole')));
  });

  it("applies iam:PassedToService to combined methods across one principal's policies", async () => {
    const toDax = { Condition: { StringEquals: { 'iam:PassedToService': 'dax.amazonaws.com' } } };
    const input = emptyInput();
    input.documents.push(
      { id: 'pass', resource: 'pass', policyKind: 'identity', document: policy(allow('iam:PassRole', '*', toDax)), principals: ['role/a'] },
      {
        id: 'create',
        resource: 'create',
        policyKind: 'identity',
        document: policy(allow(['lambda:CreateFunction', 'lambda:InvokeFunction'], 'arn:aws:lambda:eu-west-1:1:function:*')),
        principals: ['role/a'],
      },
    );
    assert.deepEqual(
      (await auditInput(input)).filter((f) => f.kind === 'privilege-escalation'),
      [],
    );
  });
});
