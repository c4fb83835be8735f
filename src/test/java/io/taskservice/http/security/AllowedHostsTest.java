package io.taskservice.http.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Django's ALLOWED_HOSTS matching (django.http.request.validate_host). */
class AllowedHostsTest {
  private final AllowedHosts hosts =
      new AllowedHosts(
          List.of("api.example.com", ".example.org", "127.0.0.1", "[::1]"), path -> false);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "api.example.com",
        "API.Example.COM",
        "api.example.com:8443",
        "api.example.com.",
        "example.org",
        "www.example.org",
        "a.b.example.org:80",
        "127.0.0.1:8000",
        "[::1]:8000"
      })
  void allows(String host) {
    assertThat(hosts.allows(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "evil.com",
        "example.com",
        "notexample.org",
        "api.example.com.evil.com",
        "api.example.com:port",
        "api.example.com@evil.com",
        "api example.com",
        "[::2]"
      })
  void rejects(String host) {
    assertThat(hosts.allows(host)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"anything.net", "10.0.0.1:1"})
  void aStarAllowsAnyValidHost(String host) {
    assertThat(new AllowedHosts(List.of("*"), path -> false).allows(host)).isTrue();
  }
}
