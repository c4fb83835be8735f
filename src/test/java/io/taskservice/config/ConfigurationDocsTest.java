package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The files that document the settings agree with {@link Settings}. With {@code
 * -Dsettings.write=true} the generated parts are rewritten instead of compared.
 */
class ConfigurationDocsTest {
  private static final Path DOCS = Path.of("docs/configuration.md");
  private static final Path PROPERTIES = Path.of("conf/task-service.properties");
  private static final Path ENV_EXAMPLE = Path.of(".env.example");
  private static final Path COMPOSE = Path.of("docker-compose.yml");
  private static final Path KUBERNETES = Path.of("deploy/kubernetes");
  private static final String REGENERATE =
      "out of date: mvn -q -o test -Dtest=ConfigurationDocsTest -Dsettings.write=true";

  /** Variables of the Compose set-up only, which the service itself does not read. */
  private static final Set<String> COMPOSE_ONLY = Set.of("TASKS_HTTP_PUBLISH", "TASKS_IMAGE");

  private static final Pattern VARIABLE = Pattern.compile("\\bTASKS_[A-Z0-9_]+");

  @Test
  void theDocsTableIsGeneratedFromTheSettings() throws IOException {
    String docs = Files.readString(DOCS, StandardCharsets.UTF_8);
    int begin = docs.indexOf(SettingsDocs.TABLE_BEGIN);
    int end = docs.indexOf(SettingsDocs.TABLE_END);
    assertThat(begin).as("table markers in " + DOCS).isNotNegative().isLessThan(end);
    String updated =
        docs.substring(0, begin)
            + SettingsDocs.markdownTable()
            + docs.substring(end + SettingsDocs.TABLE_END.length() + 1);
    if (Boolean.getBoolean("settings.write")) {
      Files.writeString(DOCS, updated, StandardCharsets.UTF_8);
      docs = updated;
    }
    assertThat(docs).as(DOCS + " " + REGENERATE).isEqualTo(updated);
  }

  @Test
  void theDefaultsFileIsGeneratedFromTheSettings() throws IOException {
    String generated = SettingsDocs.propertiesFile();
    if (Boolean.getBoolean("settings.write")) {
      Files.writeString(PROPERTIES, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(PROPERTIES, StandardCharsets.UTF_8))
        .as(PROPERTIES + " " + REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void envExampleNamesEverySettingAndShowsOnlyDefaults() throws IOException {
    String example = Files.readString(ENV_EXAMPLE, StandardCharsets.UTF_8);
    Set<String> known = Settings.all().stream().map(Setting::name).collect(Collectors.toSet());
    Set<String> mentioned = names(example);
    assertThat(known).as("settings missing from " + ENV_EXAMPLE).isSubsetOf(mentioned);
    assertThat(mentioned)
        .as("unknown variables in " + ENV_EXAMPLE)
        .allMatch(n -> known.contains(n) || COMPOSE_ONLY.contains(n));
    Map<String, String> assigned = assignments(example, "(?m)^(TASKS_[A-Z0-9_]+)=(.*)$");
    assertThat(assigned).as("values in " + ENV_EXAMPLE).isNotEmpty();
    assertThat(assigned).as("values in " + ENV_EXAMPLE).containsAllEntriesOf(defaults(assigned));
  }

  @Test
  void composeFallsBackToTheDefaults() throws IOException {
    String compose = Files.readString(COMPOSE, StandardCharsets.UTF_8);
    Map<String, String> fallbacks = assignments(compose, "\\$\\{(TASKS_[A-Z0-9_]+):-([^}]*)\\}");
    assertThat(fallbacks).as("fallbacks in " + COMPOSE).isNotEmpty();
    assertThat(fallbacks).as("fallbacks in " + COMPOSE).containsAllEntriesOf(defaults(fallbacks));
  }

  @Test
  void theKubernetesManifestsSetOnlySettingsThatExistToValuesTheyAccept() throws IOException {
    List<Path> manifests;
    try (Stream<Path> files = Files.walk(KUBERNETES)) {
      manifests =
          files
              .filter(f -> f.toString().endsWith(".yaml"))
              .filter(f -> !f.toString().contains("node_modules"))
              .sorted()
              .toList();
    }
    assertThat(manifests).as("manifests under " + KUBERNETES).isNotEmpty();
    Set<String> known = Settings.all().stream().map(Setting::name).collect(Collectors.toSet());
    Map<String, String> shared = new TreeMap<>();
    for (Path manifest : manifests) {
      String text = Files.readString(manifest, StandardCharsets.UTF_8);
      // a misspelled variable is no error to the service: it is simply never read
      assertThat(names(text)).as("unknown variables in " + manifest).isSubsetOf(known);
      Map<String, String> values = assignments(text, "(?m)^\\s*- (TASKS_[A-Z0-9_]+)=(.*)$");
      values.putAll(
          assignments(text, "(?m)^\\s*- name: (TASKS_[A-Z0-9_]+)\\s*\\n\\s*value: \"?([^\"\\n]*)"));
      for (Setting<?> s : Settings.all()) {
        if (values.containsKey(s.name())) {
          s.read(Map.of(s.name(), values.get(s.name())));
        }
      }
      if (manifest.endsWith("base/kustomization.yaml")) {
        shared.putAll(values);
      }
    }
    // the settings every pod shares hold together (a discovery mode with its own setting, ...);
    // the database URL comes from a file there
    assertThat(shared).containsEntry("TASKS_CLUSTER_DISCOVERY", "kubernetes");
    Map<String, String> env = new TreeMap<>(shared);
    env.put("TASKS_DB_URL", "postgresql://tasks@db.invalid:5432/tasks");
    assertThat(AppConfig.load(env).clusterServiceDns())
        .isEqualTo(shared.get("TASKS_CLUSTER_SERVICE_DNS"));
  }

  private static Set<String> names(String text) {
    Matcher m = VARIABLE.matcher(text);
    Set<String> names = new java.util.TreeSet<>();
    while (m.find()) {
      names.add(m.group().replaceFirst("_FILE$", ""));
    }
    return names;
  }

  /** Name and value of each match of {@code regex} (two groups) naming a setting. */
  private static Map<String, String> assignments(String text, String regex) {
    Set<String> known = Settings.all().stream().map(Setting::name).collect(Collectors.toSet());
    Map<String, String> found = new TreeMap<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      if (known.contains(m.group(1))) {
        found.put(m.group(1), m.group(2).trim());
      }
    }
    return found;
  }

  /** The defaults of the settings {@code names} names. */
  private static Map<String, String> defaults(Map<String, String> names) {
    Map<String, String> defaults = new TreeMap<>();
    for (Setting<?> s : Settings.all()) {
      if (names.containsKey(s.name())) {
        defaults.put(s.name(), s.defaultText());
      }
    }
    return defaults;
  }
}
