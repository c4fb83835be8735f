package io.taskservice.http;

import io.taskservice.http.security.BearerTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The repository contract as the router builder of Vert.x 5.0.7 accepts it. The contract documents
 * two things that version cannot take, and only the router's copy leaves them out:
 *
 * <ul>
 *   <li>response media types its contract parser rejects (the event stream's {@code
 *       text/event-stream}, the browsable API's {@code text/html}): the route stays, only the
 *       description of that body goes;
 *   <li>the anonymous alternative ({@code {}}) of an optional security requirement: for it the
 *       builder puts an authentication handler on every route even with security switched off,
 *       which no {@code BodyHandler} may follow. Tokens are checked by {@link BearerTokens}.
 * </ul>
 */
public final class RouterContract {
  private RouterContract() {}

  public static JsonObject from(String yaml) {
    JsonObject contract =
        (JsonObject) toJson(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));
    withoutAnonymousAlternative(contract);
    JsonObject paths = contract.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String key : item.fieldNames()) {
        if (item.getValue(key) instanceof JsonObject operation) {
          withoutAnonymousAlternative(operation);
          withSupportedContentOnly(operation.getJsonObject("responses"));
        }
      }
    }
    JsonObject components = contract.getJsonObject("components", new JsonObject());
    withSupportedContentOnly(components.getJsonObject("responses"));
    return contract;
  }

  private static void withoutAnonymousAlternative(JsonObject securedObject) {
    if (securedObject.getValue("security") instanceof JsonArray requirements) {
      requirements.getList().removeIf(r -> r instanceof JsonObject o && o.isEmpty());
    }
  }

  private static void withSupportedContentOnly(JsonObject responses) {
    if (responses == null) {
      return;
    }
    for (String status : responses.fieldNames()) {
      if (responses.getValue(status) instanceof JsonObject response
          && response.getValue("content") instanceof JsonObject content) {
        content.fieldNames().removeIf(type -> !MediaType.isMediaTypeSupported(type));
      }
    }
  }

  /** YAML's maps, lists and timestamps as JSON's objects, arrays and strings. */
  private static Object toJson(Object yaml) {
    if (yaml instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      map.forEach((key, value) -> object.put(String.valueOf(key), toJson(value)));
      return object;
    }
    if (yaml instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(value -> array.add(toJson(value)));
      return array;
    }
    if (yaml instanceof Date date) {
      return date.toInstant().toString();
    }
    return yaml;
  }
}
