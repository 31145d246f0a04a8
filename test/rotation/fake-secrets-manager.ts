// An in-memory Secrets Manager (versions, staging labels, rotation metadata) behind the real SDK v3 client, for tests.
import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
  type RotationRulesType,
  type SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeVersion {
  value: string | undefined;
  stages: string[];
  createdDate: Date;
}

export interface FakeSecret {
  arn: string;
  name: string;
  tags: Tag[];
  rotationEnabled: boolean;
  rotationRules: RotationRulesType | undefined;
  lastRotatedDate: Date | undefined;
  createdDate: Date;
  versions: Map<string, FakeVersion>;
}

export interface Call {
  command: string;
  input: Record<string, unknown>;
}

const meta = { $metadata: { httpStatusCode: 400 } };

export class InjectedCrash extends Error {
  constructor(after: string) {
    super(`injected crash after ${after}`);
    this.name = 'InjectedCrash';
  }
}

/**
 * Models the parts of Secrets Manager rotation relies on, with AWS's documented rules: one version per label,
 * AWSPREVIOUS follows AWSCURRENT, PutSecretValue idempotent per ClientRequestToken, RemoveFromVersionId required
 * when a label moves, RotateSecret refused while AWSPENDING sits on a version other than AWSCURRENT.
 */
export class FakeSecretsManager {
  readonly secrets = new Map<string, FakeSecret>();
  readonly calls: Call[] = [];
  now: () => Date = () => new Date();
  private crashAfterCalls: number | undefined;
  private throttles = new Map<string, number>();

  addSecret(opts: {
    name: string;
    tags?: Record<string, string>;
    rotationEnabled?: boolean;
    rotationRules?: RotationRulesType;
    lastRotatedDate?: Date;
    createdDate?: Date;
    versions?: Record<string, { value?: string; stages: string[]; createdDate?: Date }>;
  }): FakeSecret {
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${opts.name}-AbCdEf`;
    const secret: FakeSecret = {
      arn,
      name: opts.name,
      tags: Object.entries(opts.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      rotationEnabled: opts.rotationEnabled ?? true,
      rotationRules: opts.rotationRules ?? { AutomaticallyAfterDays: 30 },
      lastRotatedDate: opts.lastRotatedDate,
      createdDate: opts.createdDate ?? this.now(),
      versions: new Map(
        Object.entries(opts.versions ?? {}).map(([id, v]) => [
          id,
          { value: v.value, stages: [...v.stages], createdDate: v.createdDate ?? this.now() },
        ]),
      ),
    };
    this.secrets.set(arn, secret);
    return secret;
  }

  /** The next `n` calls of `command` fail with ThrottlingException before touching any state. */
  throttle(command: string, n: number): void {
    this.throttles.set(command, n);
  }

  /** The `n`-th call from now takes effect, then the caller "crashes" (the response is lost). */
  crashAfter(n: number | undefined): void {
    this.crashAfterCalls = n;
  }

  stageMap(arn: string): Record<string, string[]> {
    const s = this.get(arn);
    return Object.fromEntries([...s.versions].filter(([, v]) => v.stages.length > 0).map(([id, v]) => [id, [...v.stages].sort()]));
  }

  versionWith(arn: string, stage: string): string | undefined {
    return [...this.get(arn).versions].find(([, v]) => v.stages.includes(stage))?.[0];
  }

  valueAt(arn: string, stage: string): string | undefined {
    const id = this.versionWith(arn, stage);
    return id === undefined ? undefined : this.get(arn).versions.get(id)?.value;
  }

  get(secretId: string): FakeSecret {
    const s = this.secrets.get(secretId) ?? [...this.secrets.values()].find((x) => x.name === secretId);
    if (!s) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", ...meta });
    return s;
  }

  /** Wires every command through aws-sdk-client-mock's callsFake. */
  attach(mock: AwsClientStub<SecretsManagerClient>): void {
    const commands = {
      DescribeSecretCommand,
      GetSecretValueCommand,
      PutSecretValueCommand,
      UpdateSecretVersionStageCommand,
      RotateSecretCommand,
      ListSecretsCommand,
      ListSecretVersionIdsCommand,
    };
    for (const [name, command] of Object.entries(commands)) {
      mock.on(command as never).callsFake(async (input: Record<string, unknown>) => this.handle(name, input));
    }
  }

  /**
   * Installs the fake inside the client's middleware stack, below the SDK retry middleware, so the client's own
   * retry strategy handles the fake's throttling (aws-sdk-client-mock replaces `send`, which skips retries).
   */
  install(client: SecretsManagerClient): void {
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const output = await this.handle(String(context.commandName), args.input as Record<string, unknown>);
        return { output: { ...output, $metadata: { httpStatusCode: 200 } }, response: {} };
      },
      { step: 'deserialize', priority: 'high', name: 'fakeSecretsManager' },
    );
  }

  async handle(command: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.calls.push({ command, input: structuredClone(input) });
    const throttled = this.throttles.get(command) ?? 0;
    if (throttled > 0) {
      this.throttles.set(command, throttled - 1);
      throw new SecretsManagerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', ...meta });
    }
    let result: Record<string, unknown> | undefined;
    let failure: unknown;
    try {
      result = this.apply(command, input);
    } catch (err) {
      failure = err;
    }
    if (this.crashAfterCalls !== undefined && --this.crashAfterCalls === 0) {
      this.crashAfterCalls = undefined;
      throw new InjectedCrash(command);
    }
    if (failure !== undefined) throw failure;
    return result!;
  }

  private apply(command: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (command) {
      case 'DescribeSecretCommand':
        return this.describe(this.get(String(input.SecretId)));
      case 'GetSecretValueCommand':
        return this.getValue(input);
      case 'PutSecretValueCommand':
        return this.putValue(input);
      case 'UpdateSecretVersionStageCommand':
        return this.updateStage(input);
      case 'RotateSecretCommand':
        return this.rotate(input);
      case 'ListSecretsCommand':
        return this.list(input);
      case 'ListSecretVersionIdsCommand': {
        const s = this.get(String(input.SecretId));
        return {
          ARN: s.arn,
          Name: s.name,
          Versions: [...s.versions].map(([VersionId, v]) => ({ VersionId, VersionStages: [...v.stages], CreatedDate: v.createdDate })),
        };
      }
      default:
        throw new Error(`fake does not implement ${command}`);
    }
  }

  private describe(s: FakeSecret): Record<string, unknown> {
    return {
      ARN: s.arn,
      Name: s.name,
      RotationEnabled: s.rotationEnabled,
      RotationRules: s.rotationRules,
      LastRotatedDate: s.lastRotatedDate,
      CreatedDate: s.createdDate,
      Tags: s.tags.map((t) => ({ ...t })),
      VersionIdsToStages: this.stageMap(s.arn),
    };
  }

  private getValue(input: Record<string, unknown>): Record<string, unknown> {
    const s = this.get(String(input.SecretId));
    const stage = (input.VersionStage as string | undefined) ?? (input.VersionId ? undefined : 'AWSCURRENT');
    const id = (input.VersionId as string | undefined) ?? (stage ? this.versionWith(s.arn, stage) : undefined);
    const v = id === undefined ? undefined : s.versions.get(id);
    if (!v || (stage && !v.stages.includes(stage)) || v.value === undefined) {
      throw new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value for staging label or version.",
        ...meta,
      });
    }
    return { ARN: s.arn, Name: s.name, VersionId: id, SecretString: v.value, VersionStages: [...v.stages], CreatedDate: v.createdDate };
  }

  private putValue(input: Record<string, unknown>): Record<string, unknown> {
    const s = this.get(String(input.SecretId));
    const id = String(input.ClientRequestToken ?? randomUUID());
    const value = String(input.SecretString);
    const existing = s.versions.get(id);
    if (existing?.value !== undefined && existing.value !== value) {
      throw new ResourceExistsException({
        message: 'A version with this ClientRequestToken already exists with a different value.',
        ...meta,
      });
    }
    const stages = (input.VersionStages as string[] | undefined) ?? ['AWSCURRENT'];
    const version = existing ?? { value, stages: [], createdDate: this.now() };
    version.value = value;
    s.versions.set(id, version);
    for (const stage of stages) this.attachLabel(s, stage, id);
    return { ARN: s.arn, Name: s.name, VersionId: id, VersionStages: [...version.stages] };
  }

  private updateStage(input: Record<string, unknown>): Record<string, unknown> {
    const s = this.get(String(input.SecretId));
    const stage = String(input.VersionStage);
    const moveTo = input.MoveToVersionId as string | undefined;
    const removeFrom = input.RemoveFromVersionId as string | undefined;
    const holder = [...s.versions].find(([id, v]) => id !== moveTo && v.stages.includes(stage))?.[0];
    if (removeFrom !== undefined && !s.versions.get(removeFrom)?.stages.includes(stage)) {
      throw new InvalidParameterException({ message: `The staging label ${stage} is not attached to version ${removeFrom}.`, ...meta });
    }
    if (moveTo !== undefined) {
      if (!s.versions.has(moveTo)) throw new ResourceNotFoundException({ message: `Version ${moveTo} not found.`, ...meta });
      if (holder !== undefined && holder !== moveTo && removeFrom === undefined) {
        throw new InvalidParameterException({
          message: `The staging label ${stage} is currently attached to version ${holder}. You must specify RemoveFromVersionId.`,
          ...meta,
        });
      }
      const wasPending = s.versions.get(moveTo)!.stages.includes('AWSPENDING');
      this.attachLabel(s, stage, moveTo);
      if (stage === 'AWSCURRENT' && wasPending) s.lastRotatedDate = this.now();
    } else if (removeFrom !== undefined) {
      const v = s.versions.get(removeFrom)!;
      v.stages = v.stages.filter((x) => x !== stage);
    }
    return { ARN: s.arn, Name: s.name };
  }

  private attachLabel(s: FakeSecret, stage: string, id: string): void {
    const previousHolder = this.versionWith(s.arn, stage);
    if (previousHolder === id) return;
    if (previousHolder !== undefined) {
      const old = s.versions.get(previousHolder)!;
      old.stages = old.stages.filter((x) => x !== stage);
      if (stage === 'AWSCURRENT') this.attachLabel(s, 'AWSPREVIOUS', previousHolder);
    }
    s.versions.get(id)!.stages.push(stage);
  }

  private rotate(input: Record<string, unknown>): Record<string, unknown> {
    const s = this.get(String(input.SecretId));
    const pending = this.versionWith(s.arn, 'AWSPENDING');
    if (pending !== undefined && pending !== this.versionWith(s.arn, 'AWSCURRENT')) {
      throw new InvalidRequestException({ message: "A previous rotation isn't complete. That rotation will be reattempted.", ...meta });
    }
    const id = String(input.ClientRequestToken ?? randomUUID());
    s.rotationEnabled = true;
    s.versions.set(id, { value: undefined, stages: [], createdDate: this.now() });
    this.attachLabel(s, 'AWSPENDING', id);
    return { ARN: s.arn, Name: s.name, VersionId: id };
  }

  private list(input: Record<string, unknown>): Record<string, unknown> {
    const filters = (input.Filters as { Key: string; Values: string[] }[] | undefined) ?? [];
    // AWS semantics: each filter is matched on its own, by prefix; tag-key and tag-value are not paired.
    const matches = (s: FakeSecret) =>
      filters.every((f) =>
        f.Values.some((v) =>
          f.Key === 'tag-key'
            ? s.tags.some((t) => t.Key?.startsWith(v))
            : f.Key === 'tag-value'
              ? s.tags.some((t) => t.Value?.startsWith(v))
              : true,
        ),
      );
    const all = [...this.secrets.values()].filter(matches);
    const start = input.NextToken === undefined ? 0 : Number(String(input.NextToken).replace('page-', ''));
    const size = (input.MaxResults as number | undefined) ?? 2;
    const page = all.slice(start, start + size);
    return {
      SecretList: page.map((s) => ({ ARN: s.arn, Name: s.name, Tags: s.tags, RotationEnabled: s.rotationEnabled })),
      ...(start + size < all.length ? { NextToken: `page-${start + size}` } : {}),
    };
  }
}
