package io.taskservice.http;

import io.vertx.ext.web.Router;

/**
 * A feature's share of the API, made once per HTTP verticle: handlers for operations of the
 * contract, and the routes the contract does not describe (HEAD, OPTIONS, pages). The HTTP side
 * knows no feature; features hand it their routes through this interface.
 */
public interface ApiFeature {
  /** Adds handlers to the contract's operations (before the router is built). */
  default void operations(ApiOperations operations) {}

  /** Adds routes outside the contract, after the guards and before the failure handlers. */
  default void routes(Router router) {}

  /** The verticle stops: release what the feature holds (open streams, timers). */
  default void stop() {}
}
