// Reads the account's IAM users, groups, roles and policies with GetAccountAuthorizationDetails (every page).
import { GetAccountAuthorizationDetailsCommand, type IAMClient } from '@aws-sdk/client-iam';
import { readAccountDetails } from '../inputs/account-details';
import type { AuditInput } from '../types';
import { paginate, type CallOptions } from './aws-calls';

type Details = Record<string, unknown[]>;
const LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;

/** All pages merged into one account-details object, then read like a saved file. */
export async function readLiveIam(iam: IAMClient, options: CallOptions = {}): Promise<AuditInput> {
  const pages = await paginate(async (marker) => {
    const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: marker, MaxItems: 1000 }));
    return { items: [page], next: page.IsTruncated ? page.Marker : undefined };
  }, options);
  const merged: Details = Object.fromEntries(LISTS.map((k) => [k, []]));
  for (const page of pages) for (const key of LISTS) merged[key]!.push(...((page[key] as unknown[] | undefined) ?? []));
  return readAccountDetails(merged);
}
