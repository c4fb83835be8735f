package io.taskservice.config;

/**
 * The documentation {@link Settings} generates: the table in {@code docs/configuration.md} and the
 * complete defaults file {@code conf/task-service.properties}. A test keeps both up to date.
 */
public final class SettingsDocs {
  public static final String TABLE_BEGIN = "<!-- settings table: generated from Settings -->";
  public static final String TABLE_END = "<!-- end of settings table -->";

  private SettingsDocs() {}

  /** The markdown table of every setting, between its markers. */
  public static String markdownTable() {
    StringBuilder out = new StringBuilder(TABLE_BEGIN).append('\n');
    out.append("| variable | meaning | value | default |\n|---|---|---|---|\n");
    for (Setting<?> s : Settings.all()) {
      out.append("| `")
          .append(s.name())
          .append("` | ")
          .append(s.secret() ? "**Secret** (never logged). " : "")
          .append(cell(s.doc()))
          .append(" | ")
          .append(cell(s.type().describe()))
          .append(" | ")
          .append(s.defaultText().isEmpty() ? "empty" : "`" + cell(s.defaultText()) + "`")
          .append(" |\n");
    }
    return out.append(TABLE_END).append('\n').toString();
  }

  /** Every setting with its default, in the format of an environment file. */
  public static String propertiesFile() {
    StringBuilder out =
        new StringBuilder(
            """
            # task-service settings and their defaults, generated from
            # src/main/java/io/taskservice/config/Settings.java (do not edit: a test compares).
            # The service reads each from the environment variable of the same name, or from the
            # file named by <NAME>_FILE; docs/configuration.md explains them. Usable as a Docker
            # --env-file or a systemd EnvironmentFile.
            """);
    for (Setting<?> s : Settings.all()) {
      String comment =
          s.doc() + " (" + s.type().describe() + (s.secret() ? "; a secret" : "") + ")";
      out.append('\n')
          .append(comment(comment.replace("`", "")))
          .append(s.name())
          .append('=')
          .append(s.defaultText())
          .append('\n');
    }
    return out.toString();
  }

  /** {@code text} as comment lines of at most 100 characters. */
  private static String comment(String text) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder("#");
    for (String word : text.split(" ")) {
      if (line.length() + 1 + word.length() > 100) {
        out.append(line).append('\n');
        line = new StringBuilder("#");
      }
      line.append(' ').append(word);
    }
    return out.append(line).append('\n').toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
