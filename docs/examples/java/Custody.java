import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who carried the caller's request here (R15 and R16 in docs/consumer.md), JDK only: the same steps as
 * verify_assertion.py. {@code claims} are the verified claims as a map (Nimbus: {@code JWTClaimsSet.getClaims()}).
 * {@link #checkPeer} then compares a delegated call's actor with the peer the request came from, when you know it.
 */
public final class Custody {
  private static final int MAX_DEPTH = 5; // actors in one delegation chain

  /** hop 0's {@code jti}, the same on every hop of one caller's request: log it. */
  public final String txn;
  /** The services the call came through, first service first; empty when direct. */
  public final List<String> chain;
  /** The service calling for the caller ({@code act_sub}); null when direct. */
  public final String actor;

  /** A custody rule failed; {@code actorRefused}: a delegated call this service does not take (403, else 401). */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    public final boolean actorRefused;

    Refused(String reason, boolean actorRefused) {
      super(reason);
      this.actorRefused = actorRefused;
    }
  }

  private Custody(String txn, List<String> chain, String actor) {
    this.txn = txn;
    this.chain = Collections.unmodifiableList(chain);
    this.actor = actor;
  }

  /** R15: hop 0 names no actor; txn falls back to jti for assertions minted before meshgate wrote txn. */
  public static Custody direct(Map<String, Object> claims) throws Refused {
    for (String name : List.of("act", "act_sub", "chain")) {
      if (claims.containsKey(name)) throw new Refused("act_unexpected", false);
    }
    Object txn = claims.containsKey("txn") ? claims.get("txn") : claims.get("jti");
    if (!(txn instanceof String) || ((String) txn).isEmpty()) throw new Refused("txn_invalid", false);
    return new Custody((String) txn, new ArrayList<>(), null);
  }

  /** R16: act (outermost = current actor), act_sub, chain and txn tell one story; then the actor is accepted. */
  public static Custody delegated(Map<String, Object> claims, String audience, Set<String> acceptActors)
      throws Refused {
    if (!claims.containsKey("act")) throw new Refused("act_missing", false);
    List<String> chain = new ArrayList<>(); // built current actor first, then reversed
    Map<?, ?> holder = claims;
    while (holder.containsKey("act")) { // an "act": null is invalid, not the end of the chain
      Object node = holder.get("act");
      if (chain.size() == MAX_DEPTH) throw new Refused("chain_too_deep", false);
      Object sub = node instanceof Map ? ((Map<?, ?>) node).get("sub") : null;
      if (!(sub instanceof String) || ((String) sub).isEmpty()) throw new Refused("act_invalid", false);
      chain.add((String) sub);
      holder = (Map<?, ?>) node;
    }
    String actor = chain.get(0);
    if (!actor.equals(claims.get("act_sub"))) throw new Refused("act_sub_mismatch", false);
    Collections.reverse(chain);
    if (!chain.equals(claims.get("chain"))) throw new Refused("chain_mismatch", false);
    Set<String> seen = new HashSet<>(chain);
    if (seen.size() != chain.size() || seen.contains(audience)) throw new Refused("chain_cycle", false);
    Object txn = claims.get("txn");
    if (!(txn instanceof String) || ((String) txn).isEmpty()) throw new Refused("txn_missing", false);
    if (!acceptActors.contains(actor)) throw new Refused("actor_not_accepted", true);
    return new Custody((String) txn, chain, actor);
  }

  /**
   * R16: a delegated call's actor is the service its transport peer is. {@code peer}: the mTLS client's SPIFFE id (the
   * {@code spiffe://} URI SAN of the verified certificate) or the VPC Lattice caller ({@code Principal=} of
   * {@code x-amzn-lattice-identity}); {@code peerAudience} maps peer ids to service audiences. Hop 0 is not checked.
   *
   * @throws IllegalStateException a peer without {@code peerAudience}: a configuration error (500)
   */
  public void checkPeer(String peer, Map<String, String> peerAudience) throws Refused {
    if (actor == null || peer == null) return;
    if (peerAudience == null) throw new IllegalStateException("peerAudience must be set to check a request peer");
    String service = peerAudience.get(peer);
    if (service == null) throw new Refused("peer_unknown", true);
    if (!service.equals(actor)) throw new Refused("peer_mismatch", true);
  }
}
