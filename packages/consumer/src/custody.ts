// The chain of custody of a verified assertion: a direct call (hop 0), or a delegated one whose act, act_sub and chain agree.
import { invalid, refused } from './errors.js';
import { MAX_DELEGATION_DEPTH } from './wire-format.js';

/** Who carried the caller's request here, and which request tree it belongs to. */
export interface Custody {
  /**
   * meshgate's transaction id: hop 0's `jti`, the same on every hop of one caller's request. Log it: it finds the
   * whole tree of calls.
   */
  readonly txn: string;
  /**
   * The services the request went through before this one, first service first (`chain`); empty for a direct call.
   * The last is the {@link actor}.
   */
  readonly chain: readonly string[];
  /** The service calling this one on the caller's behalf (`act_sub`); undefined for a direct call from meshgate. */
  readonly actor: string | undefined;
}

export interface CustodyExpectations {
  /** This service's audiences: none may appear in the chain (B calling itself through A is a cycle). */
  readonly audiences: readonly string[];
  /** The actors this service accepts; undefined when it accepts direct calls only. */
  readonly acceptActors: readonly string[] | undefined;
}

const DELEGATION_CLAIMS = ['act', 'act_sub', 'chain'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A direct call: meshgate's hop-0 assertion. It carries no actor; an `act` on it is refused rather than ignored, so a
 * token can never be read as "the caller itself" while it names a service in between. `txn` falls back to `jti` for
 * assertions minted before meshgate wrote `txn`.
 *
 * @example
 * // given: declare const verifiedClaims: Record<string, unknown>;
 * const { txn, chain } = directCustody(verifiedClaims, 'jti-1'); // chain: []
 */
export function directCustody(claims: Record<string, unknown>, jti: string): Custody {
  for (const name of DELEGATION_CLAIMS)
    if (claims[name] !== undefined) throw invalid('act_unexpected', `a hop-0 assertion must not carry ${name}`);
  const txn = claims.txn;
  if (txn !== undefined && (typeof txn !== 'string' || txn.length === 0)) throw invalid('txn_invalid', 'claim txn must be a string');
  return { txn: txn ?? jti, chain: [], actor: undefined };
}

/** The actors in `act` from the outermost (the current actor) inwards, at most MAX_DELEGATION_DEPTH of them. */
function actorsOf(act: unknown): string[] {
  const actors: string[] = [];
  for (let node = act; node !== undefined; node = node.act) {
    if (actors.length === MAX_DELEGATION_DEPTH) throw invalid('chain_too_deep', `more than ${MAX_DELEGATION_DEPTH} actors`);
    if (!isObject(node) || typeof node.sub !== 'string' || node.sub.length === 0)
      throw invalid('act_invalid', 'act must nest objects with a non-empty sub (RFC 8693 §4.1)');
    actors.push(node.sub);
  }
  return actors;
}

/**
 * A delegated call: `act` (RFC 8693 §4.1, outermost = current actor), its flat copies `act_sub` and `chain`, and `txn`
 * must all tell the same story, or a signer bug or a spliced chain could make one matcher (Envoy on `act_sub`) and
 * another (this check on `act`) see different actors. Then the current actor must be one this service accepts.
 *
 * @example
 * // given: declare const verifiedClaims: Record<string, unknown>;
 * const { actor, chain } = delegatedCustody(verifiedClaims, { audiences: ['payments'], acceptActors: ['orders'] });
 */
export function delegatedCustody(claims: Record<string, unknown>, expected: CustodyExpectations): Custody {
  if (claims.act === undefined) throw invalid('act_missing', 'a delegated assertion must carry act');
  const actors = actorsOf(claims.act);
  const actor = actors[0] as string;
  if (claims.act_sub !== actor) throw invalid('act_sub_mismatch', 'act_sub must be act.sub');
  const chain = claims.chain;
  if (!Array.isArray(chain) || chain.length !== actors.length || chain.some((s, i) => s !== actors[actors.length - 1 - i]))
    throw invalid('chain_mismatch', 'chain must list the actors of act, first service first');
  if (new Set(actors).size !== actors.length || actors.some((a) => expected.audiences.includes(a)))
    throw invalid('chain_cycle', 'a service appears twice in the chain');
  const txn = claims.txn;
  if (typeof txn !== 'string' || txn.length === 0) throw invalid('txn_missing', 'a delegated assertion must carry txn');
  if (!expected.acceptActors?.includes(actor)) throw refused('actor_not_accepted', 'this service does not accept calls through this actor');
  return { txn, chain: Object.freeze([...actors].reverse()), actor };
}
