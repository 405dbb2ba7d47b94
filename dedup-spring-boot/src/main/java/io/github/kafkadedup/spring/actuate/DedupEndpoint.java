package io.github.kafkadedup.spring.actuate;

import io.github.kafkadedup.consumer.internal.StoreInspection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The read-only {@code kafkadedup} Actuator endpoint: {@code GET /actuator/kafkadedup} gives the store's state
 * with the health thresholds; {@code GET /actuator/kafkadedup/{scope}/{key}} looks one key up (its claims with
 * their generation's time span and first partition@offset, and its dead letters). Expose it with
 * {@code management.endpoints.web.exposure.include=health,kafkadedup}.
 */
@Endpoint(id = "kafkadedup", defaultAccess = Access.READ_ONLY)
public final class DedupEndpoint {
  private final DedupStoreCheck check;

  /** @param check reads the store */
  public DedupEndpoint(DedupStoreCheck check) {
    this.check = Objects.requireNonNull(check, "check");
  }

  /** @return the status: reachable, problems, and what was measured */
  @ReadOperation
  public Map<String, Object> status() {
    DedupStoreCheck.Result r = check.check();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", !r.reachable() ? "DOWN" : r.problems().isEmpty() ? "UP" : "PROBLEMS");
    out.putAll(r.details());
    return out;
  }

  /**
   * @param scope the consumer's scope
   * @param key the dedup key (may contain {@code /})
   * @return what the store knows about the key
   * @throws SQLException if the database fails
   */
  // KeyReport lives in the engine's consumer.internal (exported to this module only): on the module
  // path Jackson cannot read it; moving it to the engine's API is a follow-up
  @SuppressWarnings("exports")
  @ReadOperation
  public StoreInspection.KeyReport lookup(@Selector String scope, @Selector(match = Selector.Match.ALL_REMAINING)
      String[] key) throws SQLException {
    return check.lookup(scope, String.join("/", key));
  }
}
