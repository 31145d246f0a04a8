import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URL;
import java.nio.charset.CharacterCodingException;
import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * meshgate's identity assertion, verified with Nimbus JOSE+JWT (rules R1-R16 in docs/consumer.md). One instance per
 * process: it caches the JWKS. In a servlet:
 *
 * <pre>
 * AssertionVerifier.Verified v = verifier.verify(req.getMethod(), req.getRequestURI(), req.getQueryString(),
 *     Collections.list(req.getHeaders(AssertionVerifier.HEADER)), req.getInputStream().readAllBytes());
 * </pre>
 *
 * {@code v.claims} are the caller's claims, {@code v.custody} who carried the call here ({@link Custody}). Delegated
 * assertions (service A calling this one for the caller) pass only when {@code acceptActors} names A. With a
 * {@code peerAudience} (peer id to service audience, e.g. {@code Map.of("spiffe://cluster.local/ns/shop/sa/orders",
 * "orders-service")}), pass the request's peer as a sixth argument to {@code verify}: A must then be that peer
 * ({@link Custody#checkPeer}).
 * ActorRefused: answer 403; other Rejected: 401; a {@code KeySourceException} (no usable JWKS): 503; an
 * {@code IllegalStateException} (a peer passed without {@code peerAudience}): 500.
 */
public final class AssertionVerifier {
  public static final String HEADER = "x-identity-assertion";
  private static final long MAX_LIFETIME_MS = 300_000; // exp - iat
  private static final Set<String> DELEGATED_TYPES =
      Set.of("delegated-identity+jwt", "application/delegated-identity+jwt");

  /** The assertion is missing, invalid, or for another issuer, audience, time, request or body. */
  public static class Rejected extends Exception {
    Rejected(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  /** A delegated assertion this service does not take (no accepted actors, or another actor). */
  public static final class ActorRefused extends Rejected {
    ActorRefused(String reason) {
      super(reason, null);
    }
  }

  /** A verified assertion: the caller's claims, and who carried the call here. */
  public static final class Verified {
    public final JWTClaimsSet claims;
    public final Custody custody;

    Verified(JWTClaimsSet claims, Custody custody) {
      this.claims = claims;
      this.custody = custody;
    }
  }

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final long clockSkewMs;
  private final String audience;
  private final Set<String> acceptActors;
  private final Map<String, String> peerAudience;

  /** issuer, audience, jwksUri and acceptActors (empty: direct calls only) come from your configuration. */
  public AssertionVerifier(
      String issuer, String audience, URL jwksUri, int clockSkewSeconds, Set<String> acceptActors) {
    this(issuer, audience, jwksUri, clockSkewSeconds, acceptActors, null);
  }

  /** The same, with peerAudience (null: no peer may be passed) from your configuration too. */
  public AssertionVerifier(String issuer, String audience, URL jwksUri, int clockSkewSeconds,
      Set<String> acceptActors, Map<String, String> peerAudience) {
    // R1: cached 5 min, refetched at most every 30 s, an expired copy used for up to 1 h while the endpoint fails.
    JWKSource<SecurityContext> jwks = JWKSourceBuilder
        .<SecurityContext>create(jwksUri, new DefaultResourceRetriever(1500, 1500, 65536))
        .cache(300_000, 1500)
        .rateLimited(30_000)
        .outageTolerant(3_600_000)
        .build();
    JWSKeySelector<SecurityContext> es256 = new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, jwks); // R3
    processor.setJWSKeySelector((header, context) -> {
      if (header.getKeyID() == null || header.getKeyID().isEmpty()) return List.of(); // R5: no key, rejected
      if (header.getCriticalParams() != null) return List.of(); // R6: Nimbus itself accepts crit ["b64"]
      return es256.selectJWSKeys(header, context); // R5: the JWKS key with that kid; jku, x5u, jwk, x5c never read
    });
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>( // R4, case-insensitive
        new JOSEObjectType("identity+jwt"), new JOSEObjectType("application/identity+jwt"),
        new JOSEObjectType("delegated-identity+jwt"), new JOSEObjectType("application/delegated-identity+jwt")));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(audience), // R9
        new JWTClaimsSet.Builder().issuer(issuer).build(), // R8
        Set.of("iat", "exp", "sub", "jti", "type", "src_iss", "req", "body_sha256"), // R10, R14
        null);
    claims.setMaxClockSkew(clockSkewSeconds); // R11: exp and nbf
    processor.setJWTClaimsSetVerifier(claims);
    this.clockSkewMs = clockSkewSeconds * 1000L;
    this.audience = audience;
    this.acceptActors = Set.copyOf(acceptActors);
    this.peerAudience = peerAudience == null ? null : Map.copyOf(peerAudience);
  }

  public Verified verify(String method, String rawPath, String rawQuery, List<String> headerValues, byte[] body)
      throws Rejected, KeySourceException {
    return verify(method, rawPath, rawQuery, headerValues, body, null);
  }

  /** peer: the request's transport identity (see {@link Custody#checkPeer}); null when unknown. */
  public Verified verify(
      String method, String rawPath, String rawQuery, List<String> headerValues, byte[] body, String peer)
      throws Rejected, KeySourceException {
    if (headerValues.size() != 1 || !headerValues.get(0).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+")) {
      throw new Rejected("malformed", null); // R2: exactly one header; a comma-joined pair is not a compact JWS
    }
    JWTClaimsSet claims;
    boolean delegated;
    try {
      SignedJWT jwt = SignedJWT.parse(headerValues.get(0));
      JOSEObjectType typ = jwt.getHeader().getType();
      delegated = typ != null && DELEGATED_TYPES.contains(typ.getType().toLowerCase(Locale.ROOT));
      if (delegated && acceptActors.isEmpty()) throw new ActorRefused("delegation_not_accepted"); // R16, no key fetched
      claims = processor.process(jwt, null); // R3-R9, R11
    } catch (KeySourceException e) {
      throw e; // no usable JWKS: 503
    } catch (ParseException | BadJOSEException | JOSEException e) {
      throw new Rejected(e.getMessage(), e);
    }
    try {
      Date iat = claims.getIssueTime(), exp = claims.getExpirationTime();
      if (iat == null || exp == null || !exp.after(iat) || exp.getTime() - iat.getTime() > MAX_LIFETIME_MS) {
        throw new Rejected("lifetime_invalid", null); // R10
      }
      if (iat.getTime() > System.currentTimeMillis() + clockSkewMs) throw new Rejected("iat_in_future", null); // R11
      if (!RequestHash.of(method, rawPath, rawQuery).equals(claims.getStringClaim("req"))) {
        throw new Rejected("req_mismatch", null); // R12
      }
      if (!RequestHash.base64urlSha256(body).equals(claims.getStringClaim("body_sha256"))) {
        throw new Rejected("body_mismatch", null); // R13
      }
      claims.getStringClaim("scope"); // R14: the typed getters throw ParseException on a wrong type
      claims.getStringListClaim("groups");
      if (!Set.of("user", "service", "iam").contains(Objects.requireNonNullElse(claims.getStringClaim("type"), ""))
          || !nonEmpty(claims, "sub") || !nonEmpty(claims, "jti") || !nonEmpty(claims, "src_iss")) {
        throw new Rejected("claim_invalid", null);
      }
      Custody custody = delegated
          ? Custody.delegated(claims.getClaims(), audience, acceptActors) // R16
          : Custody.direct(claims.getClaims()); // R15
      custody.checkPeer(peer, peerAudience); // R16
      return new Verified(claims, custody);
    } catch (Custody.Refused e) {
      throw e.actorRefused ? new ActorRefused(e.getMessage()) : new Rejected(e.getMessage(), e);
    } catch (CharacterCodingException e) { // invalid UTF-8 in the query: Node reads U+FFFD, this refuses
      throw new Rejected("req_mismatch", e);
    } catch (ParseException e) {
      throw new Rejected("claim_invalid", e);
    }
  }

  private static boolean nonEmpty(JWTClaimsSet claims, String name) throws ParseException {
    String value = claims.getStringClaim(name);
    return value != null && !value.isEmpty();
  }
}
