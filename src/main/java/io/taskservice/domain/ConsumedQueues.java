package io.taskservice.domain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a worker node consumes ({@code TASKS_QUEUES}): named queues, each with the most tasks the
 * node holds in flight for it, and optionally {@code *}, one shared bucket for every queue the node
 * does not name.
 *
 * @param named the named queues and their limits, in the order written
 * @param others the limit of the shared bucket for every other queue; empty: no other queue
 */
public record ConsumedQueues(Map<String, Integer> named, OptionalInt others) {
  public static final String OTHERS = "*";
  public static final int DEFAULT_LIMIT = 10_000;
  public static final int MAX_LIMIT = 100_000;

  public ConsumedQueues {
    named = Collections.unmodifiableMap(new LinkedHashMap<>(named));
  }

  /** Every queue, 10,000 in flight in all: the default. */
  public static final ConsumedQueues EVERY_QUEUE =
      new ConsumedQueues(Map.of(), OptionalInt.of(DEFAULT_LIMIT));

  /**
   * Parses {@code name[=N]} items separated by commas; {@code *} at most once.
   *
   * @throws IllegalArgumentException with a message that completes "TASKS_QUEUES must ..."
   */
  public static ConsumedQueues parse(String text) {
    Map<String, Integer> named = new LinkedHashMap<>();
    OptionalInt others = OptionalInt.empty();
    if (text.isBlank()) {
      throw new IllegalArgumentException(
          "name at least one queue (`name[=N]` items separated by commas, `*` for every queue)");
    }
    for (String raw : text.split(",", -1)) {
      String item = raw.strip();
      int eq = item.indexOf('=');
      String name = (eq < 0 ? item : item.substring(0, eq)).strip();
      int limit = DEFAULT_LIMIT;
      if (eq >= 0) {
        String n = item.substring(eq + 1).strip();
        try {
          limit = Integer.parseInt(n);
        } catch (NumberFormatException e) {
          limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
          throw new IllegalArgumentException(
              "give each queue a limit from 1 to " + MAX_LIMIT + ": `" + item + "`");
        }
      }
      if (name.equals(OTHERS)) {
        if (others.isPresent()) {
          throw new IllegalArgumentException("name `*` at most once");
        }
        others = OptionalInt.of(limit);
      } else if (!QueueName.isValid(name)) {
        throw new IllegalArgumentException(
            "name valid queues (lowercase letters, digits, `_`, `.`, `-`, starting with a letter"
                + " or digit, at most 64 characters): `"
                + item
                + "`");
      } else if (named.put(name, limit) != null) {
        throw new IllegalArgumentException("name each queue once: `" + name + "` is repeated");
      }
    }
    return new ConsumedQueues(named, others);
  }

  /** Whether the node consumes {@code queue}. */
  public boolean consumes(String queue) {
    return named.containsKey(queue) || others.isPresent();
  }

  /** The bucket {@code queue}'s tasks count against: its own name, or {@code *}. */
  public String bucket(String queue) {
    return named.containsKey(queue) ? queue : OTHERS;
  }

  /** The in-flight limit of a bucket. */
  public int limit(String bucket) {
    return bucket.equals(OTHERS) ? others.orElse(0) : named.getOrDefault(bucket, 0);
  }

  /** The text that parses back to this value. */
  public String format() {
    StringBuilder out = new StringBuilder();
    named.forEach(
        (name, n) -> out.append(out.isEmpty() ? "" : ",").append(name).append('=').append(n));
    others.ifPresent(n -> out.append(out.isEmpty() ? "" : ",").append("*=").append(n));
    return out.toString();
  }

  /** As the workers table stores it: {"reports": 50, "*": 10000}. */
  public Map<String, Integer> asMap() {
    Map<String, Integer> map = new LinkedHashMap<>(named);
    others.ifPresent(n -> map.put(OTHERS, n));
    return map;
  }
}
