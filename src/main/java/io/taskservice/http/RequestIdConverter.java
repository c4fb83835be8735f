package io.taskservice.http;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %requestId} in the text log pattern: {@code " request_id=<id>"} on lines written while a
 * request is handled, nothing on the others (cheaper than a {@code %replace} regex on every line).
 */
public final class RequestIdConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    String id = event.getMDCPropertyMap().get(RequestLog.MDC_KEY);
    return id == null ? "" : " request_id=" + id;
  }
}
