package io.taskservice.drf.fields;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DRF's {@code html.parse_html_list}: a list read from form keys {@code [0]title}, {@code
 * [1]title}, ... in index order (gaps close up, leading zeros name the same index); {@code [0]=x}
 * makes the item the string {@code x}. Keys are taken in the form's order, so a later key decides.
 */
final class HtmlList {
  // Python's '$' also matches before a final newline, and '.' is anything but a newline
  private static final Pattern ITEM_KEY =
      Pattern.compile("\\[([0-9]+)\\](.*)$", Pattern.UNIX_LINES);

  private HtmlList() {}

  static List<Object> parse(Map<String, ?> form) {
    TreeMap<BigInteger, Object> items = new TreeMap<>();
    for (Map.Entry<String, ?> field : form.entrySet()) {
      Matcher m = ITEM_KEY.matcher(field.getKey());
      if (!m.lookingAt()) {
        continue;
      }
      BigInteger index = new BigInteger(m.group(1));
      String key = m.group(2);
      if (key.isEmpty()) {
        items.put(index, field.getValue());
      } else if (items.get(index) instanceof FormData item) {
        item.put(key, field.getValue());
      } else {
        FormData item = new FormData();
        item.put(key, field.getValue());
        items.put(index, item);
      }
    }
    return new ArrayList<>(items.values());
  }
}
