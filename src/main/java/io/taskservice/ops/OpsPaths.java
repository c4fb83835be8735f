package io.taskservice.ops;

/** Which paths are the operator's: open to any host, outside the API's controls. */
final class OpsPaths {
  private OpsPaths() {}

  static boolean isOperatorPath(String path) {
    return path.equals(Metrics.PATH) || path.startsWith("/health/");
  }
}
