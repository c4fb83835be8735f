package io.taskservice.http.security;

/**
 * Which paths are the API's: those the API's controls (tokens, the outage and overload guards)
 * apply to.
 */
public final class ApiPaths {
  private ApiPaths() {}

  /** Under {@code /api}. */
  public static boolean isApiPath(String path) {
    return path.equals("/api") || path.startsWith("/api/");
  }
}
