package io.taskservice.ops;

/** Which paths are the operator's (open, not the API) and which the API's. */
final class OpsPaths {
  private OpsPaths() {}

  static boolean isOperatorPath(String path) {
    return path.equals(Metrics.PATH) || path.startsWith("/health/");
  }

  static boolean isApiPath(String path) {
    return path.equals("/api") || path.startsWith("/api/");
  }
}
