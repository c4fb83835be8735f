package io.taskservice.config;

import io.taskservice.domain.ConsumedQueues;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How a setting's text becomes a value: parsing with validation, the text the value reads back
 * from, a redacted form for secrets, and the line the docs table shows.
 */
public interface SettingType<T> {

  /**
   * The value {@code text} (trimmed) stands for; otherwise an {@link IllegalArgumentException}
   * whose message completes "NAME must ...", e.g. "be an integer from 0 to 65535".
   */
  T parse(String text);

  /** What the docs table says the value must be. */
  String describe();

  /** The text {@link #parse} reads back as {@code value}. */
  default String format(T value) {
    return String.valueOf(value);
  }

  /** What logs show of a secret value: nothing of it but whether it is set. */
  default String redact(T value) {
    return format(value).isEmpty() ? "" : "***";
  }

  static SettingType<Integer> integer(int min, int max) {
    return simple(
        "integer " + min + " to " + max,
        text -> {
          try {
            long n = Long.parseLong(text);
            if (n >= min && n <= max) {
              return (int) n;
            }
          } catch (NumberFormatException e) {
            // reported below
          }
          throw new IllegalArgumentException("be an integer from " + min + " to " + max);
        });
  }

  static SettingType<Boolean> bool() {
    return simple(
        "true or false",
        text ->
            switch (text.toLowerCase(Locale.ROOT)) {
              case "true", "1", "yes", "on" -> true;
              case "false", "0", "no", "off", "" -> false;
              default -> throw new IllegalArgumentException("be true or false");
            });
  }

  static SettingType<String> string() {
    return simple("text", text -> text);
  }

  /** Comma-separated; blanks around items and empty items are dropped. */
  static SettingType<List<String>> list() {
    return new SettingType<>() {
      @Override
      public List<String> parse(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      }

      @Override
      public String describe() {
        return "comma-separated list";
      }

      @Override
      public String format(List<String> value) {
        return String.join(",", value);
      }
    };
  }

  /** One of the constants of {@code type}, in any case. */
  static <E extends Enum<E>> SettingType<E> choice(Class<E> type) {
    List<String> names =
        Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    return new SettingType<>() {
      @Override
      public E parse(String text) {
        for (E e : type.getEnumConstants()) {
          if (e.name().equalsIgnoreCase(text)) {
            return e;
          }
        }
        throw new IllegalArgumentException("be one of " + names);
      }

      @Override
      public String describe() {
        return names.stream().collect(Collectors.joining(", ", "one of ", ""));
      }

      @Override
      public String format(E value) {
        return value.name().toLowerCase(Locale.ROOT);
      }
    };
  }

  /**
   * A DNS name as Kubernetes gives Services ({@code name.namespace.svc.cluster.local}): labels of
   * letters, digits and hyphens, at most 63 characters each and 253 in all; or empty for none.
   */
  static SettingType<String> dnsName() {
    return simple(
        "DNS name, or empty",
        text -> {
          String label = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
          if (text.isEmpty()
              || (text.length() <= 253 && text.matches(label + "(\\." + label + ")*\\.?"))) {
            return text;
          }
          throw new IllegalArgumentException(
              "be a DNS name such as tasks.default.svc.cluster.local");
        });
  }

  /** A file that exists and can be read, or empty for none. */
  static SettingType<String> readableFile() {
    return simple(
        "path of a readable file, or empty",
        text -> {
          if (!text.isEmpty() && !Files.isReadable(Path.of(text))) {
            throw new IllegalArgumentException("name a readable file");
          }
          return text;
        });
  }

  /** {@code postgresql://user:password@host:port/database?parameters}; logs hide the password. */
  static SettingType<String> postgresUrl() {
    return new SettingType<>() {
      @Override
      public String parse(String text) {
        try {
          URI uri = new URI(text);
          String scheme = uri.getScheme();
          if (("postgresql".equals(scheme) || "postgres".equals(scheme))
              && uri.getHost() != null
              && uri.getPath() != null
              && uri.getPath().length() > 1) {
            return text;
          }
        } catch (URISyntaxException e) {
          // reported below
        }
        throw new IllegalArgumentException(
            "look like postgresql://user:password@host:port/database");
      }

      @Override
      public String describe() {
        return "postgresql://user:password@host:port/database";
      }

      @Override
      public String redact(String value) {
        return value.replaceFirst("//([^:/@]*):[^@]*@", "//$1:***@");
      }
    };
  }

  /** See {@link Durations}; {@code 0} means off. */
  static SettingType<Duration> duration() {
    return new SettingType<>() {
      @Override
      public Duration parse(String text) {
        try {
          return Durations.parse(text);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("be " + Durations.EXPECTED, e);
        }
      }

      @Override
      public String describe() {
        return "duration (`7d`, `12h`, `30m`, `45s`, `500ms`, ISO-8601 `P7D`; `0` = off)";
      }

      @Override
      public String format(Duration value) {
        return Durations.format(value);
      }
    };
  }

  /**
   * See {@link Durations}, from {@code min} to {@code max}; {@code 0} is below any minimum, and a
   * part below a millisecond is refused rather than dropped.
   */
  static SettingType<Duration> duration(Duration min, Duration max) {
    String range = "from " + Durations.format(min) + " to " + Durations.format(max);
    return new SettingType<>() {
      @Override
      public Duration parse(String text) {
        Duration d;
        try {
          d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("be a duration " + range, e);
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
          throw new IllegalArgumentException("be a duration " + range);
        }
        if (d.getNano() % 1_000_000 != 0) {
          throw new IllegalArgumentException("be a duration " + range + ", in whole milliseconds");
        }
        return d;
      }

      @Override
      public String describe() {
        return "duration " + range + " (`7d`, `12h`, `30m`, `45s`, `500ms`, ISO-8601 `P7D`)";
      }

      @Override
      public String format(Duration value) {
        return Durations.format(value);
      }
    };
  }

  /** Comma-separated networks ({@link Cidr}), IPv4 or IPv6; empty for none. */
  static SettingType<List<Cidr>> cidrs() {
    return new SettingType<>() {
      @Override
      public List<Cidr> parse(String text) {
        return SettingType.list().parse(text).stream().map(Cidr::parse).toList();
      }

      @Override
      public String describe() {
        return "comma-separated CIDRs (`10.0.0.0/8`, `fd00::/8`, or one address)";
      }

      @Override
      public String format(List<Cidr> value) {
        return value.stream().map(Cidr::toString).collect(Collectors.joining(","));
      }
    };
  }

  static SettingType<ConsumedQueues> consumedQueues() {
    return new SettingType<>() {
      @Override
      public ConsumedQueues parse(String text) {
        return ConsumedQueues.parse(text);
      }

      @Override
      public String describe() {
        return "comma-separated `queue[=N]`, N from 1 to 100,000; `*[=N]` at most once";
      }

      @Override
      public String format(ConsumedQueues value) {
        return value.format();
      }
    };
  }

  /** {@code inner}, or empty when the text is empty. */
  static <T> SettingType<Optional<T>> optional(SettingType<T> inner) {
    return new SettingType<>() {
      @Override
      public Optional<T> parse(String text) {
        return text.isEmpty() ? Optional.empty() : Optional.of(inner.parse(text));
      }

      @Override
      public String describe() {
        return inner.describe() + ", or empty";
      }

      @Override
      public String format(Optional<T> value) {
        return value.map(inner::format).orElse("");
      }

      @Override
      public String redact(Optional<T> value) {
        return value.map(inner::redact).orElse("");
      }
    };
  }

  private static <T> SettingType<T> simple(String description, Function<String, T> parser) {
    return new SettingType<>() {
      @Override
      public T parse(String text) {
        return parser.apply(text);
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }
}
