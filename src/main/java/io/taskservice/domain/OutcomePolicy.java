package io.taskservice.domain;

/** Decides how a processed task ends (the replaceable Strategy of processing). */
@FunctionalInterface
public interface OutcomePolicy {
  Outcome decide(String title);
}
