// Package assertion verifies meshgate's identity assertion with go-jose v4 (rules R1-R16 in docs/consumer.md).
//
//	jwks := &assertion.RemoteJWKS{URI: jwksURI}
//	v := &assertion.Verifier{Issuer: issuer, Audience: "orders", ClockSkew: 30 * time.Second, JWKS: jwks}
//	std, own, err := v.Verify(r, body) // body: the raw bytes read from r.Body
//
// own.Txn, own.Chain and own.Actor tell who carried the call here. Delegated assertions (service A calling this one
// for the caller) pass only when AcceptActors names A: Verifier{..., AcceptActors: []string{"orders-service"}}.
// To also require that A is the peer the request came from, set PeerAudience (peer id -> service audience) and call
//
//	std, own, err := v.VerifyPeer(r, body, peer)
//
// with peer the mTLS client's SPIFFE id (the spiffe:// URI of r.TLS.VerifiedChains[0][0].URIs) or the VPC Lattice
// caller (Principal= of the x-amzn-lattice-identity header, on a service reachable through Lattice only).
//
// errors.Is(err, assertion.ErrActorRefused): answer 403; errors.Is(err, assertion.ErrRejected): 401;
// errors.Is(err, assertion.ErrJWKSUnavailable): 503; any other error (a peer without PeerAudience): 500.
package assertion

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	Header      = "X-Identity-Assertion"
	maxLifetime = 300 * time.Second // exp - iat
	maxDepth    = 5                 // actors in one delegation chain
	unreserved  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
)

var (
	ErrRejected        = errors.New("identity assertion rejected")
	ErrActorRefused    = errors.New("delegated call refused")
	ErrJWKSUnavailable = errors.New("no usable JWKS")
	errNoPeerAudience  = errors.New("PeerAudience must be set to check a request peer")
	errInvalidUTF8     = errors.New("query is not UTF-8")
	compactJWS         = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
	types              = []string{"identity+jwt", "application/identity+jwt"}
	delegatedTypes     = []string{"delegated-identity+jwt", "application/delegated-identity+jwt"}
)

func reject(reason string) error { return fmt.Errorf("%w: %s", ErrRejected, reason) }
func refuseActor(reason string) error {
	return fmt.Errorf("%w: %w: %s", ErrRejected, ErrActorRefused, reason)
}

// Claims are meshgate's claims beyond the registered ones (jwt.Claims).
type Claims struct {
	Req        string   `json:"req"`
	BodySHA256 string   `json:"body_sha256"`
	Type       string   `json:"type"`
	Scope      string   `json:"scope"` // space-delimited
	Groups     []string `json:"groups"`
	Tenant     string   `json:"tenant"`
	ClientID   string   `json:"client_id"`
	SrcIss     string   `json:"src_iss"`
	Txn        string   `json:"-"` // hop 0's jti, the same on every hop of one caller's request: log it
	Chain      []string `json:"-"` // the services the call came through, first first; empty when direct
	Actor      string   `json:"-"` // the service calling for the caller (act_sub); "" when direct
}

// directCustody (R15): hop 0 names no actor; txn falls back to jti for assertions minted before meshgate wrote txn.
func directCustody(raw map[string]any, jti string) (string, error) {
	for _, name := range []string{"act", "act_sub", "chain"} {
		if _, ok := raw[name]; ok {
			return "", reject("act_unexpected")
		}
	}
	txn, ok := raw["txn"]
	if !ok {
		return jti, nil
	}
	if s, _ := txn.(string); s != "" {
		return s, nil
	}
	return "", reject("txn_invalid")
}

// delegatedCustody (R16): act (outermost = current actor), act_sub, chain and txn tell one story; then the actor is
// one this service accepts. Returns txn and the chain, first service first.
func delegatedCustody(raw map[string]any, audience string, accept []string) (string, []string, error) {
	if _, ok := raw["act"]; !ok {
		return "", nil, reject("act_missing")
	}
	var actors []string // the current actor first
	holder := raw
	for node, ok := raw["act"]; ok; node, ok = holder["act"] { // an "act": null is invalid, not the end
		obj, isObject := node.(map[string]any)
		sub, _ := obj["sub"].(string)
		if len(actors) == maxDepth {
			return "", nil, reject("chain_too_deep")
		}
		if !isObject || sub == "" {
			return "", nil, reject("act_invalid")
		}
		actors, holder = append(actors, sub), obj
	}
	if actSub, _ := raw["act_sub"].(string); actSub != actors[0] {
		return "", nil, reject("act_sub_mismatch")
	}
	chain := slices.Clone(actors)
	slices.Reverse(chain)
	listed, _ := raw["chain"].([]any)
	if len(listed) != len(chain) {
		return "", nil, reject("chain_mismatch")
	}
	for i, service := range chain {
		if listed[i] != any(service) {
			return "", nil, reject("chain_mismatch")
		}
	}
	seen := map[string]bool{audience: true}
	for _, service := range actors {
		if seen[service] {
			return "", nil, reject("chain_cycle")
		}
		seen[service] = true
	}
	txn, _ := raw["txn"].(string)
	if txn == "" {
		return "", nil, reject("txn_missing")
	}
	if !slices.Contains(accept, actors[0]) {
		return "", nil, refuseActor("actor_not_accepted")
	}
	return txn, chain, nil
}

// checkPeer (R16): the current actor is the service the request's transport peer is. Hop 0 is not checked.
func checkPeer(peer, actor string, peerAudience map[string]string) error {
	if peerAudience == nil {
		return errNoPeerAudience
	}
	service, known := peerAudience[peer]
	if !known {
		return refuseActor("peer_unknown")
	}
	if service != actor {
		return refuseActor("peer_mismatch")
	}
	return nil
}

func base64urlSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// formDecode: '+' is a space, '%XX' a byte (a '%' without two hex digits stays as it is), then strict UTF-8.
func formDecode(s string) (string, error) {
	in := strings.ReplaceAll(s, "+", " ")
	var out []byte
	for i := 0; i < len(in); i++ {
		if in[i] == '%' && i+2 < len(in) {
			if b, err := hex.DecodeString(in[i+1 : i+3]); err == nil {
				out = append(out, b[0])
				i += 2
				continue
			}
		}
		out = append(out, in[i])
	}
	if !utf8.Valid(out) { // Node reads invalid UTF-8 as U+FFFD; this refuses the request instead
		return "", errInvalidUTF8
	}
	return string(out), nil
}

// uriEncode is JavaScript's encodeURIComponent: every UTF-8 byte but A-Z a-z 0-9 - _ . ! ~ * ' ( ) as %XX.
func uriEncode(s string) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(unreserved, s[i]) >= 0 {
			out.WriteByte(s[i])
		} else {
			fmt.Fprintf(&out, "%%%02X", s[i])
		}
	}
	return out.String()
}

// CanonicalQuery: not url.ParseQuery (it rejects ';' and bad escapes), not url.QueryEscape ('+' for a space).
func CanonicalQuery(rawQuery string) (string, error) {
	var pairs [][2]string
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, errName := formDecode(name)
		v, errValue := formDecode(value)
		if err := errors.Join(errName, errValue); err != nil {
			return "", err
		}
		pairs = append(pairs, [2]string{uriEncode(n), uriEncode(v)})
	}
	// By the ENCODED name only, and stable: one name's values keep their order.
	slices.SortStableFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	joined := make([]string, len(pairs))
	for i, pair := range pairs {
		joined[i] = pair[0] + "=" + pair[1]
	}
	return strings.Join(joined, "&"), nil
}

// RequestHash is the `req` claim (R12); rawPath and rawQuery exactly as received: r.URL.EscapedPath(), r.URL.RawQuery.
func RequestHash(method, rawPath, rawQuery string) (string, error) {
	query, err := CanonicalQuery(rawQuery)
	if err != nil {
		return "", err
	}
	line := strings.ToUpper(method) + " " + rawPath
	if query != "" {
		line += "?" + query
	}
	return base64urlSHA256([]byte(line)), nil
}

// RemoteJWKS (R1): the JWKS from the configured URI only. Cached 5 min; refetched at most every 30 s (unknown kid,
// or after a failure); an expired copy is used for up to 1 h while the endpoint fails. Safe for concurrent use.
type RemoteJWKS struct {
	URI            string
	mu             sync.Mutex
	keys           map[string]*ecdsa.PublicKey
	fetched, tried time.Time
}

func (j *RemoteJWKS) Key(kid string) (*ecdsa.PublicKey, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now()
	if (j.keys[kid] == nil || now.Sub(j.fetched) > 5*time.Minute) && now.Sub(j.tried) >= 30*time.Second {
		j.tried = now
		if keys, err := j.fetch(); err == nil { // on error: keep the last copy
			j.keys, j.fetched = keys, now
		}
	}
	if j.fetched.IsZero() || now.Sub(j.fetched) > time.Hour {
		return nil, ErrJWKSUnavailable
	}
	if key := j.keys[kid]; key != nil {
		return key, nil
	}
	return nil, reject("kid_unknown")
}

func (j *RemoteJWKS) fetch() (map[string]*ecdsa.PublicKey, error) {
	if !strings.HasPrefix(j.URI, "https://") {
		return nil, errors.New("the JWKS URI must be https")
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	client := &http.Client{Timeout: 1500 * time.Millisecond, CheckRedirect: noRedirect}
	resp, err := client.Get(j.URI)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS: HTTP %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&set); err != nil {
		return nil, err
	}
	keys := map[string]*ecdsa.PublicKey{} // public EC P-256 keys only
	for _, k := range set.Keys {
		if pub, ok := k.Key.(*ecdsa.PublicKey); ok && pub.Curve == elliptic.P256() && k.KeyID != "" {
			keys[k.KeyID] = pub
		}
	}
	return keys, nil
}

// Verifier: Issuer, Audience, the JWKS URI and AcceptActors come from your configuration, never from a token.
type Verifier struct {
	Issuer, Audience string
	ClockSkew        time.Duration // 30 s
	JWKS             *RemoteJWKS
	AcceptActors     []string // the services whose delegated calls this one takes; none: direct calls only

	// PeerAudience maps a peer id (SPIFFE id, Lattice caller) to its service audience; nil: VerifyPeer takes no peer
	// (a configuration error, not a refusal).
	PeerAudience map[string]string
}

// Verify checks the assertion without a peer: a delegated call's actor is not compared with the transport identity.
func (v *Verifier) Verify(r *http.Request, body []byte) (*jwt.Claims, *Claims, error) {
	return v.VerifyPeer(r, body, "")
}

// VerifyPeer is Verify, and a delegated call's actor must be the service PeerAudience maps peer to ("": no peer).
func (v *Verifier) VerifyPeer(r *http.Request, body []byte, peer string) (*jwt.Claims, *Claims, error) {
	values := r.Header.Values(Header)
	if len(values) != 1 || !compactJWS.MatchString(values[0]) {
		return nil, nil, reject("malformed") // R2
	}
	tok, err := jwt.ParseSigned(values[0], []jose.SignatureAlgorithm{jose.ES256}) // R3
	if err != nil {
		return nil, nil, reject(err.Error())
	}
	h := tok.Headers[0]
	typ, _ := h.ExtraHeaders[jose.HeaderType].(string)
	delegated := slices.Contains(delegatedTypes, strings.ToLower(typ))
	if !delegated && !slices.Contains(types, strings.ToLower(typ)) {
		return nil, nil, reject("typ_invalid") // R4
	}
	if delegated && len(v.AcceptActors) == 0 {
		return nil, nil, refuseActor("delegation_not_accepted") // R16, before any key is fetched
	}
	if h.KeyID == "" {
		return nil, nil, reject("kid_missing") // R5
	}
	if _, crit := h.ExtraHeaders["crit"]; crit {
		return nil, nil, reject("crit_unsupported") // R6: go-jose itself accepts crit ["b64"]
	}
	key, err := v.JWKS.Key(h.KeyID) // R5: jku, x5u, jwk and x5c are never read
	if err != nil {
		return nil, nil, err
	}
	var std jwt.Claims
	var own Claims
	var raw map[string]any // for R15 and R16, which tell an absent claim from a null or empty one
	if err := tok.Claims(key, &std, &own, &raw); err != nil {
		return nil, nil, reject(err.Error()) // R7, and R14's types (scope, groups, ...)
	}
	expected := jwt.Expected{Issuer: v.Issuer, AnyAudience: jwt.Audience{v.Audience}}
	if err := std.ValidateWithLeeway(expected, v.ClockSkew); err != nil {
		return nil, nil, reject(err.Error()) // R8, R9, R11
	}
	if std.IssuedAt == nil || std.Expiry == nil {
		return nil, nil, reject("iat_or_exp_missing") // R10
	}
	if life := std.Expiry.Time().Sub(std.IssuedAt.Time()); life <= 0 || life > maxLifetime {
		return nil, nil, reject("lifetime_invalid") // R10
	}
	if req, err := RequestHash(r.Method, r.URL.EscapedPath(), r.URL.RawQuery); err != nil || own.Req != req {
		return nil, nil, reject("req_mismatch") // R12
	}
	if own.BodySHA256 != base64urlSHA256(body) {
		return nil, nil, reject("body_mismatch") // R13
	}
	if !slices.Contains([]string{"user", "service", "iam"}, own.Type) ||
		std.Subject == "" || std.ID == "" || own.SrcIss == "" {
		return nil, nil, reject("claim_invalid") // R14 (the JSON decoder already typed scope, groups, tenant, client_id)
	}
	if delegated {
		own.Txn, own.Chain, err = delegatedCustody(raw, v.Audience, v.AcceptActors) // R16
		if err != nil {
			return nil, nil, err
		}
		own.Actor = own.Chain[len(own.Chain)-1]
		if peer != "" {
			if err := checkPeer(peer, own.Actor, v.PeerAudience); err != nil {
				return nil, nil, err
			}
		}
	} else if own.Txn, err = directCustody(raw, std.ID); err != nil { // R15
		return nil, nil, err
	}
	return &std, &own, nil
}
