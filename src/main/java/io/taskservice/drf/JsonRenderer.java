package io.taskservice.drf;

import io.taskservice.domain.PythonText;
import io.taskservice.domain.Task;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON as DRF's {@code JSONRenderer} writes it, byte for byte (a {@link Task} as its
 * representation): Python's {@code json.dumps} with {@code ensure_ascii=False} (every character as
 * itself in UTF-8, emoji included; quotes, backslashes and control characters escaped, the latter
 * as lower-case {@code \u001b}), then U+2028 and U+2029 escaped as DRF adds; compact ({@code ,} and
 * {@code :}) by default, or indented with {@code ,} and {@code ": "} when the accepted media type
 * asks for it (as the browsable API shows it).
 */
public final class JsonRenderer {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonRenderer() {}

  /** A JSON value (JsonObject, JsonArray, or what they hold) as compact bytes. */
  public static Buffer render(Object body) {
    return Buffer.buffer(text(body, null).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A JSON value as text: compact when {@code indent} is null, else indented by that many spaces.
   */
  public static String text(Object body, Integer indent) {
    StringBuilder out = new StringBuilder(256);
    write(out, body, indent, 0);
    return out.toString();
  }

  /** A task's representation, as the API and the event stream write it. */
  public static Buffer task(Task task) {
    return render(task);
  }

  private static void write(StringBuilder out, Object value, Integer indent, int level) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof BigInteger) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        // DRF's strict JSON refuses them too
        throw new EncodeException("Out of range float values are not JSON compliant: " + d);
      }
      out.append(PythonText.str(d));
    } else if (value instanceof OffsetDateTime time) {
      TaskJson.timestamp(out.append('"'), time).append('"');
    } else if (value instanceof Task task) {
      // the hot path of every answer with tasks: written field by field, no map built
      object(out, TaskJson.FIELDS, TaskJson.values(task), indent, level);
    } else if (value instanceof JsonObject object) {
      object(out, object.getMap(), indent, level);
    } else if (value instanceof Map<?, ?> map) {
      object(out, map, indent, level);
    } else if (value instanceof JsonArray array) {
      array(out, array.getList(), indent, level);
    } else if (value instanceof List<?> list) {
      array(out, list, indent, level);
    } else {
      throw new EncodeException("cannot encode " + value.getClass().getName() + " as JSON");
    }
  }

  private static void object(StringBuilder out, Map<?, ?> map, Integer indent, int level) {
    if (map.isEmpty()) {
      out.append("{}");
      return;
    }
    out.append('{');
    Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<?, ?> e = entries.next();
      newline(out, indent, level + 1);
      string(out, String.valueOf(e.getKey()));
      out.append(indent == null ? ":" : ": ");
      write(out, e.getValue(), indent, level + 1);
      if (entries.hasNext()) {
        out.append(',');
      }
    }
    newline(out, indent, level);
    out.append('}');
  }

  private static void object(
      StringBuilder out, String[] keys, Object[] values, Integer indent, int level) {
    out.append('{');
    for (int i = 0; i < keys.length; i++) {
      newline(out, indent, level + 1);
      string(out, keys[i]);
      out.append(indent == null ? ":" : ": ");
      write(out, values[i], indent, level + 1);
      if (i < keys.length - 1) {
        out.append(',');
      }
    }
    newline(out, indent, level);
    out.append('}');
  }

  private static void array(StringBuilder out, List<?> list, Integer indent, int level) {
    if (list.isEmpty()) {
      out.append("[]");
      return;
    }
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      newline(out, indent, level + 1);
      write(out, list.get(i), indent, level + 1);
      if (i < list.size() - 1) {
        out.append(',');
      }
    }
    newline(out, indent, level);
    out.append(']');
  }

  private static void newline(StringBuilder out, Integer indent, int level) {
    if (indent != null) {
      out.append('\n');
      out.append(" ".repeat(indent * level));
    }
  }

  /** Python's {@code py_encode_basestring}, then DRF's escapes of U+2028 and U+2029. */
  private static void string(StringBuilder out, String s) {
    out.append('"');
    int plain = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && c != '\u2028' && c != '\u2029') {
        continue;
      }
      out.append(s, plain, i);
      plain = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default ->
            out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
      }
    }
    out.append(s, plain, s.length()).append('"');
  }
}
