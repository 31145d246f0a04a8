import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/** meshgate's {@code req} claim (R12 in docs/consumer.md), JDK only: the same steps as verify_assertion.py. */
public final class RequestHash {
  private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()";

  private RequestHash() {}

  public static String base64urlSha256(byte[] data) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** '+' is a space, '%XX' a byte (a '%' without two hex digits stays as it is), then strict UTF-8. */
  static String formDecode(String s) throws CharacterCodingException {
    byte[] in = s.replace('+', ' ').getBytes(UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
        out.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    // Node reads invalid UTF-8 as U+FFFD; the decoder reports it instead, and the request is refused.
    return UTF_8.newDecoder().decode(ByteBuffer.wrap(out.toByteArray())).toString();
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    return b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
  }

  /** JavaScript's encodeURIComponent: every UTF-8 byte but A-Z a-z 0-9 - _ . ! ~ * ' ( ) as %XX (a space is %20). */
  static String uriEncode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(UTF_8)) {
      if (b >= 0 && UNRESERVED.indexOf(b) >= 0) out.append((char) b);
      else out.append(String.format("%%%02X", b & 0xFF));
    }
    return out.toString();
  }

  public static String canonicalQuery(String rawQuery) throws CharacterCodingException {
    List<String[]> pairs = new ArrayList<>();
    for (String part : rawQuery.split("&", -1)) {
      if (part.isEmpty()) continue;
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      pairs.add(new String[] {uriEncode(formDecode(name)), uriEncode(formDecode(value))});
    }
    pairs.sort(Comparator.comparing(pair -> pair[0])); // by the ENCODED name only; List.sort is stable
    StringJoiner out = new StringJoiner("&");
    for (String[] pair : pairs) out.add(pair[0] + "=" + pair[1]);
    return out.toString();
  }

  /** rawPath and rawQuery exactly as received: getRequestURI() and getQueryString() (null: no query). */
  public static String of(String method, String rawPath, String rawQuery) throws CharacterCodingException {
    String query = canonicalQuery(rawQuery == null ? "" : rawQuery);
    String line = method.toUpperCase(Locale.ROOT) + " " + rawPath + (query.isEmpty() ? "" : "?" + query);
    return base64urlSha256(line.getBytes(UTF_8));
  }
}
