package io.taskservice.drf.fields;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A form body (urlencoded or multipart), each field with its last value in the order the fields
 * first came: what DRF receives as a {@code QueryDict}. Fields read from it follow DRF's rules for
 * HTML input (an empty value of an optional field means "not sent", of a nullable one null), and a
 * list is read from {@code [0]field=...} keys.
 */
public final class FormData extends LinkedHashMap<String, Object> {
  private static final long serialVersionUID = 1L;

  public FormData() {}

  public FormData(Map<String, ?> fields) {
    super(fields);
  }
}
