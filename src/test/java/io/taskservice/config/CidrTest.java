package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TASKS_TRUSTED_PROXIES: networks as CIDRs, IPv4 and IPv6, literal addresses only. */
class CidrTest {

  @Test
  void ipv4NetworksContainTheirAddressesOnly() {
    Cidr net = Cidr.parse("10.1.0.0/16");
    assertThat(net.contains("10.1.0.1")).isTrue();
    assertThat(net.contains("10.1.255.255")).isTrue();
    assertThat(net.contains("10.2.0.1")).isFalse();
    assertThat(net.contains("::ffff:10.1.2.3")).as("an IPv4-mapped IPv6 peer").isTrue();
    assertThat(net.contains("fd00::1")).isFalse();
    assertThat(Cidr.parse("192.0.2.7").contains("192.0.2.7")).isTrue();
    assertThat(Cidr.parse("192.0.2.7").contains("192.0.2.8")).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains("203.0.113.9")).isTrue();
    assertThat(Cidr.parse("10.1.2.3/12")).hasToString("10.1.2.3/12");
  }

  @Test
  void ipv6NetworksContainTheirAddressesOnly() {
    Cidr net = Cidr.parse("fd00:ab::/32");
    assertThat(net.contains("fd00:ab:1::7")).isTrue();
    assertThat(net.contains("FD00:00AB::1")).isTrue();
    assertThat(net.contains("fd00:ac::1")).isFalse();
    assertThat(net.contains("10.0.0.1")).isFalse();
    assertThat(Cidr.parse("::1").contains("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(Cidr.parse("::1").contains("::2")).isFalse();
  }

  @Test
  void peersThatAreNoAddressAreNeverContained() {
    Cidr all = Cidr.parse("0.0.0.0/0");
    assertThat(all.contains(null)).isFalse();
    assertThat(all.contains("localhost")).isFalse();
    assertThat(all.contains("")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "proxy.internal",
        "localhost/8",
        "10.0.0.0/33",
        "10.0.0.256/8",
        "10.0.0/8",
        "fd00::/129",
        "10.0.0.0/",
        "10.0.0.0/x",
        "/8",
        "g::1"
      })
  void anythingElseStopsStartUpNamingTheVariable(String text) {
    assertThatThrownBy(() -> AppConfig.load(Map.of("TASKS_TRUSTED_PROXIES", "10.0.0.0/8," + text)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("TASKS_TRUSTED_PROXIES must be comma-separated networks")
        .hasMessageContaining("'" + text + "' is not one")
        .hasMessageNotContaining("\n");
  }

  @Test
  void theSettingReadsAListAndTrustsNoneByDefault() {
    assertThat(AppConfig.load(Map.of()).trustedProxies()).isEmpty();
    List<Cidr> proxies =
        AppConfig.load(Map.of("TASKS_TRUSTED_PROXIES", " 10.0.0.0/8 , fd00::/8 ,"))
            .trustedProxies();
    assertThat(proxies).extracting(Cidr::toString).containsExactly("10.0.0.0/8", "fd00::/8");
  }
}
