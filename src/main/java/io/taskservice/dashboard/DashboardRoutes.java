package io.taskservice.dashboard;

import io.taskservice.http.ApiFeature;
import io.taskservice.http.ApiOperations;
import io.vertx.ext.web.Router;

/** The dashboard's share of the API: its page and assets, and the figures it shows. */
public final class DashboardRoutes implements ApiFeature {
  private final ClusterStats stats;

  /**
   * @param stats the figures, one per node, shared by every HTTP verticle and viewer
   */
  public DashboardRoutes(ClusterStats stats) {
    this.stats = stats;
  }

  @Override
  public void operations(ApiOperations operations) {
    operations.handle("getStats", new StatsApi(stats)::read);
  }

  @Override
  public void routes(Router router) {
    DashboardPage.shared().mount(router);
  }
}
