"""Verify meshgate's identity assertion in a Python service with joserfc (rules R1-R16 in docs/consumer.md).

    verifier = AssertionVerifier(ISSUER, "orders", JWKS_URI)  # once per process: it caches the JWKS
    claims = verifier.verify(method, raw_path, raw_query, request.headers.getlist(HEADER), raw_body)

raw_path and raw_query exactly as received, still percent-encoded (ASGI: scope["raw_path"] and
scope["query_string"]; not WSGI's decoded PATH_INFO). raw_body: the bytes before any parsing, b"" when none.
The claims come back with "txn", "chain" (services the call came through, first first; [] when direct) and
"actor" (the service calling for the caller; None when direct). Delegated assertions (service A calling this
one for the caller) pass only with accept_actors=["orders-service", ...]. To also require that the actor is the
peer the request came from, map peer identities to services and pass the peer:

    verifier = AssertionVerifier(..., peer_audience={"spiffe://cluster.local/ns/shop/sa/orders": "orders-service"})
    claims = verifier.verify(..., raw_body, peer=spiffe_id_of(ssl_socket.getpeercert()))

peer: the mTLS client's SPIFFE id (spiffe_id_of), or the VPC Lattice caller (the Principal= of the
x-amzn-lattice-identity header, on a service reachable through Lattice only). A hop-0 assertion is not peer-checked.
ActorRefused -> answer 403, other Rejected -> 401, JwksUnavailable -> 503; ValueError from verify: a peer was
passed without peer_audience (a configuration error, 500).
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from urllib.parse import unquote_to_bytes, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

HEADER = "x-identity-assertion"
TYPES = ("identity+jwt", "application/identity+jwt")
DELEGATED_TYPES = ("delegated-identity+jwt", "application/delegated-identity+jwt")
MAX_DEPTH = 5  # actors in one delegation chain
MAX_LIFETIME = 300  # seconds, exp - iat
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")


class Rejected(Exception):
    """The assertion is missing, invalid, or for another issuer, audience, time, request or body: 401."""


class ActorRefused(Rejected):
    """A delegated assertion this service does not take (no accept_actors, another actor, not the peer): 403."""


class JwksUnavailable(Exception):
    """No usable copy of the JWKS: 503."""


def b64url_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def form_decode(s: str) -> str:
    # '+' is a space, '%XX' a byte (a '%' without two hex digits stays as it is), then UTF-8. Node reads invalid
    # UTF-8 as U+FFFD; this raises UnicodeDecodeError instead, and the request is refused (R12).
    return unquote_to_bytes(s.replace("+", " ")).decode("utf-8")


def uri_encode(s: str) -> str:
    # JavaScript's encodeURIComponent: every UTF-8 byte but A-Z a-z 0-9 - _ . ! ~ * ' ( ) as %XX (a space is %20).
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in s.encode("utf-8"))


def canonical_query(raw_query: str) -> str:
    pairs = []
    for part in raw_query.split("&"):
        if part == "":
            continue
        name, _, value = part.partition("=")
        pairs.append((uri_encode(form_decode(name)), uri_encode(form_decode(value))))
    # By the ENCODED name only; sort() is stable: the values of one name keep their order.
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(f"{name}={value}" for name, value in pairs)


def request_hash(method: str, raw_path: str, raw_query: str) -> str:
    query = canonical_query(raw_query)
    return b64url_sha256(f"{method.upper()} {raw_path}{'?' + query if query else ''}".encode("utf-8"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx becomes an error


class RemoteJwks:
    """R1: the JWKS from the configured URI only. Cached 5 min; refetched at most every 30 s (unknown kid, or after
    a failure); an expired copy is used for up to 1 h while the endpoint fails. Thread-safe."""

    def __init__(self, uri: str, cache=300, cooldown=30, max_stale=3600, timeout=1.5, max_bytes=65536):
        if urlsplit(uri).scheme != "https" and urlsplit(uri).hostname not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the JWKS URI must be https")
        self.uri, self.cache, self.cooldown, self.max_stale = uri, cache, cooldown, max_stale
        self.timeout, self.max_bytes = timeout, max_bytes
        self._keys: dict[str, ECKey] = {}
        self._fetched = self._tried = -math.inf
        self._lock = threading.Lock()
        self._opener = urllib.request.build_opener(_NoRedirect)

    def key(self, kid: str) -> ECKey:
        with self._lock:
            now = time.monotonic()
            if (kid not in self._keys or now - self._fetched > self.cache) and now - self._tried >= self.cooldown:
                self._tried = now
                try:
                    self._keys, self._fetched = self._fetch(), now
                except (OSError, ValueError, KeyError, TypeError, JoseError):
                    pass  # keep the last copy
            if now - self._fetched > self.max_stale:
                raise JwksUnavailable(f"no usable JWKS from {self.uri}")
            if kid not in self._keys:
                raise Rejected("kid_unknown")
            return self._keys[kid]

    def _fetch(self) -> dict[str, ECKey]:
        with self._opener.open(self.uri, timeout=self.timeout) as response:
            raw = response.read(self.max_bytes + 1)
        if len(raw) > self.max_bytes:
            raise ValueError("JWKS too large")
        return {  # public EC P-256 members only: never a private member, never another key type
            jwk["kid"]: ECKey.import_key({"kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"]})
            for jwk in json.loads(raw)["keys"]
            if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256" and isinstance(jwk.get("kid"), str)
        }


def direct_custody(claims: dict) -> dict:
    """R15: hop 0 names no actor; txn falls back to jti for assertions minted before meshgate wrote txn."""
    if any(name in claims for name in ("act", "act_sub", "chain")):
        raise Rejected("act_unexpected")
    txn = claims.get("txn", claims["jti"])
    if not isinstance(txn, str) or not txn:
        raise Rejected("txn_invalid")
    return {"txn": txn, "chain": [], "actor": None}


def delegated_custody(claims: dict, audience: str, accept_actors: Sequence[str]) -> dict:
    """R16: act (outermost = current actor), act_sub, chain and txn tell one story; then the actor is accepted."""
    if "act" not in claims:
        raise Rejected("act_missing")
    actors, holder = [], claims
    while "act" in holder:  # an "act": null is invalid, not the end of the chain
        node = holder["act"]
        if len(actors) == MAX_DEPTH:
            raise Rejected("chain_too_deep")
        if not isinstance(node, dict) or not isinstance(node.get("sub"), str) or not node["sub"]:
            raise Rejected("act_invalid")
        actors.append(node["sub"])
        holder = node
    if claims.get("act_sub") != actors[0]:
        raise Rejected("act_sub_mismatch")
    if claims.get("chain") != actors[::-1]:
        raise Rejected("chain_mismatch")
    if len(set(actors)) != len(actors) or audience in actors:
        raise Rejected("chain_cycle")
    if not isinstance(claims.get("txn"), str) or not claims["txn"]:
        raise Rejected("txn_missing")
    if actors[0] not in accept_actors:
        raise ActorRefused("actor_not_accepted")
    return {"txn": claims["txn"], "chain": actors[::-1], "actor": actors[0]}


def spiffe_id_of(cert: dict | None) -> str | None:
    """The SPIFFE id of a verified client certificate (ssl.SSLSocket.getpeercert(), {} when unverified): its one
    spiffe:// URI SAN (an X.509-SVID has exactly one), else None."""
    sans = (cert or {}).get("subjectAltName", ())
    ids = [value for kind, value in sans if kind == "URI" and value.startswith("spiffe://")]
    return ids[0] if len(ids) == 1 else None


def check_peer(peer: str, actor: str, peer_audience: Mapping[str, str] | None) -> None:
    """R16: the current actor is the service the request's transport peer is (peer_audience: peer id -> audience)."""
    if peer_audience is None:
        raise ValueError("peer_audience must be set to check a request peer")
    service = peer_audience.get(peer)
    if service is None:
        raise ActorRefused("peer_unknown")
    if service != actor:
        raise ActorRefused("peer_mismatch")


class AssertionVerifier:
    """issuer, audience, jwks_uri, accept_actors and peer_audience come from your configuration, never from a token."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_uri: str,
        clock_skew: int = 30,
        accept_actors: Sequence[str] = (),
        peer_audience: Mapping[str, str] | None = None,
    ):
        self.issuer, self.audience, self.clock_skew = issuer, audience, clock_skew
        self.accept_actors, self.peer_audience = tuple(accept_actors), peer_audience
        self.jwks = RemoteJwks(jwks_uri)

    def _key_for(self, token) -> ECKey:
        # joserfc calls this after its alg allow-list (R3) and before the signature (R7).
        header = token.headers()
        typ = str(header.get("typ")).lower()
        if typ not in TYPES + DELEGATED_TYPES:
            raise Rejected("typ_invalid")  # R4
        if typ in DELEGATED_TYPES and not self.accept_actors:
            raise ActorRefused("delegation_not_accepted")  # R16, before any key is fetched
        if not isinstance(header.get("kid"), str) or header["kid"] == "":
            raise Rejected("kid_missing")  # R5
        if "crit" in header:
            raise Rejected("crit_unsupported")  # R6: joserfc itself would accept crit ["b64"]
        return self.jwks.key(header["kid"])  # R5: jku, x5u, jwk and x5c are never read

    def verify(
        self,
        method: str,
        raw_path: str,
        raw_query: str,
        header_values: Sequence[str],
        body: bytes,
        peer: str | None = None,
    ) -> dict:
        if len(header_values) != 1 or not COMPACT_JWS.fullmatch(header_values[0]):
            raise Rejected("malformed")  # R2: exactly one header; a comma-joined pair is not a compact JWS
        try:
            token = jwt.decode(header_values[0], self._key_for, algorithms=["ES256"])  # R3-R7
            claims = token.claims
            if not isinstance(claims, dict):
                raise Rejected("malformed")
            jwt.JWTClaimsRegistry(
                now=int(time.time()),
                leeway=self.clock_skew,
                iss={"essential": True, "value": self.issuer},  # R8
                aud={"essential": True, "value": self.audience},  # R9
                iat={"essential": True},  # R10, R11
                exp={"essential": True},
            ).validate(claims)
        except (JoseError, ValueError, TypeError) as err:
            raise Rejected(str(err)) from err
        if not 0 < claims["exp"] - claims["iat"] <= MAX_LIFETIME:
            raise Rejected("lifetime_invalid")  # R10
        try:
            same_request = claims.get("req") == request_hash(method, raw_path, raw_query)
        except UnicodeDecodeError:
            same_request = False
        if not same_request:
            raise Rejected("req_mismatch")  # R12
        if claims.get("body_sha256") != b64url_sha256(body):
            raise Rejected("body_mismatch")  # R13
        groups = claims.get("groups", [])
        if (
            claims.get("type") not in ("user", "service", "iam")
            or not all(isinstance(claims.get(name), str) and claims[name] for name in ("sub", "jti", "src_iss"))
            or not isinstance(claims.get("scope", ""), str)
            or not isinstance(groups, list)
            or not all(isinstance(group, str) for group in groups)
        ):
            raise Rejected("claim_invalid")  # R14
        if str(token.header["typ"]).lower() in DELEGATED_TYPES:
            custody = delegated_custody(claims, self.audience, self.accept_actors)  # R16
            if peer is not None:
                check_peer(peer, custody["actor"], self.peer_audience)
            return {**claims, **custody}
        return {**claims, **direct_custody(claims)}  # R15
