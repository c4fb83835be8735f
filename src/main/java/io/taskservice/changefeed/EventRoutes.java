package io.taskservice.changefeed;

import io.taskservice.http.ApiFeature;
import io.taskservice.http.ApiOperations;

/**
 * The change feed's share of the API, one per HTTP verticle: the event stream. Its {@link Watchers}
 * (streams and long polls) close with the verticle.
 */
public final class EventRoutes implements ApiFeature {
  private final Watchers watchers;
  private final EventStreamApi events;

  public EventRoutes(TaskHistory history, EventHub hub, Watchers watchers) {
    this.watchers = watchers;
    this.events = new EventStreamApi(history, hub, watchers);
  }

  @Override
  public void operations(ApiOperations operations) {
    operations.handle("streamEvents", events::open);
  }

  @Override
  public void stop() {
    watchers.close();
  }
}
