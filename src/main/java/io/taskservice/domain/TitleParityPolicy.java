package io.taskservice.domain;

/**
 * The reference service's rule: a title of even length succeeds, an odd one fails. Length is
 * counted in Unicode code points, as Python's {@code len(str)} counts it.
 */
public final class TitleParityPolicy implements OutcomePolicy {
  @Override
  public Outcome decide(String title) {
    return PythonText.length(title) % 2 == 0 ? Outcome.SUCCEEDED : Outcome.FAILED;
  }
}
