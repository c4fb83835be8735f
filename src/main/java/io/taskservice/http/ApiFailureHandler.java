package io.taskservice.http;

import io.taskservice.db.StoreUnavailableException;
import io.taskservice.domain.KeyInUseException;
import io.taskservice.domain.KeyReusedException;
import io.taskservice.drf.ApiError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become answers: API errors as DRF writes them (in the representation
 * content negotiation chose, with the view's {@code Allow}), outages as 503, anything unexpected as
 * a 500 without details (the stack trace goes to the log only).
 */
public final class ApiFailureHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ApiFailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    // often called from a database callback: put the request id back into the MDC
    RequestLog.inScope(ctx, () -> answer(ctx));
  }

  private static void answer(RoutingContext ctx) {
    ApiError error = toApiError(ctx);
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (error.status() == 503 || error.status() == 409) {
      ctx.response().putHeader("Retry-After", "1");
    }
    error.headers().forEach(ctx.response()::putHeader);
    Responses.json(ctx, error.status(), error.body());
  }

  private static ApiError toApiError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError e) {
      return e;
    }
    if (failure instanceof StoreUnavailableException e) {
      log.warn(
          "{} {}: database unavailable: {}",
          ctx.request().method(),
          ctx.request().path(),
          e.getCause() == null ? e.getMessage() : e.getCause().toString());
      return ApiError.detail(503, "Service temporarily unavailable, try again later.");
    }
    if (failure instanceof KeyInUseException) {
      return ApiError.detail(
          409, "A request with this Idempotency-Key is still being processed; retry later.");
    }
    if (failure instanceof KeyReusedException) {
      return ApiError.detail(
          422, "This Idempotency-Key was already used with a different request.");
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    return switch (status) {
      case 400 -> ApiError.parse("Malformed request.");
      case 404 -> ApiError.notFound(ApiError.NOT_FOUND);
      case 405 -> ApiError.methodNotAllowed(ctx.request().method().name());
      case 413 -> ApiError.detail(413, "Request body is too large.");
      case 415 ->
          ApiError.unsupportedMediaType(String.valueOf(ctx.request().getHeader("Content-Type")));
      default -> {
        if (status >= 400 && status < 500) {
          yield ApiError.detail(status, "Request failed.");
        }
        log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
        yield ApiError.detail(500, "A server error occurred.");
      }
    };
  }
}
