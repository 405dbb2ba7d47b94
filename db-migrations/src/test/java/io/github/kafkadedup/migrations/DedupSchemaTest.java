package io.github.kafkadedup.migrations;

import static io.github.kafkadedup.migrations.jooq.Tables.CONSUMER_OFFSETS;
import static io.github.kafkadedup.migrations.jooq.Tables.PROCESSED_MESSAGES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class DedupSchemaTest {

  @Test
  void defaultIsPublicWithoutPrefix() {
    assertThat(DedupSchema.DEFAULT).isEqualTo(DedupSchema.of("public", ""));
    assertThat(DedupSchema.DEFAULT.processedMessages()).isEqualTo("public.processed_messages");
    assertThat(DedupSchema.DEFAULT.consumerOffsets()).isEqualTo("public.consumer_offsets");
  }

  @Test
  void qualifiedNamesCarrySchemaAndPrefix() {
    DedupSchema schema = DedupSchema.of("billing", "kd_");
    assertThat(schema.processedMessages()).isEqualTo("billing.kd_processed_messages");
    assertThat(schema.consumerOffsets()).isEqualTo("billing.kd_consumer_offsets");
    assertThat(DedupSchema.of("billing")).isEqualTo(new DedupSchema("billing", ""));
  }

  @Test
  void longestAllowedNamesAreAccepted() {
    String schema = "s".repeat(DedupSchema.MAX_SCHEMA_LENGTH);
    String prefix = "p".repeat(DedupSchema.MAX_PREFIX_LENGTH);
    assertThat(DedupSchema.of(schema, prefix).processedMessages())
        .isEqualTo(schema + "." + prefix + "processed_messages");
    assertThat(DedupSchema.of("_x9", "_").tablePrefix()).isEqualTo("_");
  }

  @Test
  void jooqSettingsRenderTheGeneratedTablesInTheChosenSchemaAndPrefix() {
    DSLContext ctx = DSL.using(SQLDialect.POSTGRES, DedupSchema.of("billing", "kd_").jooqSettings());
    assertThat(ctx.render(DSL.selectCount().from(PROCESSED_MESSAGES)))
        .isEqualTo("select count(*) from \"billing\".\"kd_processed_messages\"");
    assertThat(ctx.render(DSL.selectOne().from(CONSUMER_OFFSETS)))
        .isEqualTo("select 1 as \"one\" from \"billing\".\"kd_consumer_offsets\"");
    assertThat(ctx.render(DSL.insertInto(PROCESSED_MESSAGES, PROCESSED_MESSAGES.SCOPE)
            .values("g").onConflictDoNothing().returning(PROCESSED_MESSAGES.MESSAGE_KEY)))
        .startsWith("insert into \"billing\".\"kd_processed_messages\" (\"scope\")")
        .endsWith("returning \"billing\".\"kd_processed_messages\".\"message_key\"");
  }

  @Test
  void defaultJooqSettingsRenderPublicTables() {
    DSLContext ctx = DSL.using(SQLDialect.POSTGRES, DedupSchema.DEFAULT.jooqSettings());
    assertThat(ctx.render(DSL.selectCount().from(PROCESSED_MESSAGES)))
        .isEqualTo("select count(*) from \"public\".\"processed_messages\"");
  }

  @Test
  void placeholdersNameSchemaAndPrefix() {
    assertThat(DedupMigrations.placeholders(DedupSchema.of("billing", "kd_")))
        .isEqualTo(Map.of("dedup_schema", "billing", "dedup_table_prefix", "kd_"));
  }

  @Test
  void schemaWithSqlInjectionIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("x; drop table"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 "
            + "characters), but was 'x; drop table'");
  }

  @Test
  void nullSchemaIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 "
            + "characters), but was null");
  }

  @Test
  void emptySchemaIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of(""))
        .hasMessage("schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 "
            + "characters), but was ''");
  }

  @Test
  void upperCaseSchemaIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("Billing"))
        .hasMessageEndingWith("but was 'Billing'");
  }

  @Test
  void schemaStartingWithDigitIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("1billing"))
        .hasMessageEndingWith("but was '1billing'");
  }

  @Test
  void quotedSchemaIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("\"billing\""))
        .hasMessageEndingWith("but was '\"billing\"'");
  }

  @Test
  void schemaLongerThan63CharactersIsRejected() {
    String tooLong = "s".repeat(64);
    assertThatThrownBy(() -> DedupSchema.of(tooLong))
        .hasMessage("schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 "
            + "characters), but was '" + tooLong + "'");
  }

  @Test
  void reservedWordSchemaIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("user"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema must not be a reserved SQL key word, but was 'user'");
  }

  @Test
  void systemSchemaPrefixIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("pg_dedup"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema must not start with pg_ (reserved for PostgreSQL's system schemas), "
            + "but was 'pg_dedup'");
  }

  @Test
  void prefixWithSqlInjectionIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("billing", "kd_; drop table x; --"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tablePrefix must be empty or a lower-case SQL identifier ([a-z_][a-z0-9_]*, at "
            + "most 30 characters), but was 'kd_; drop table x; --'");
  }

  @Test
  void nullPrefixIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("billing", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tablePrefix must be empty or a lower-case SQL identifier ([a-z_][a-z0-9_]*, at "
            + "most 30 characters), but was null");
  }

  @Test
  void prefixLongerThan30CharactersIsRejected() {
    String tooLong = "p".repeat(31);
    assertThatThrownBy(() -> DedupSchema.of("billing", tooLong))
        .hasMessageEndingWith("at most 30 characters), but was '" + tooLong + "'");
  }

  @Test
  void upperCasePrefixIsRejected() {
    assertThatThrownBy(() -> DedupSchema.of("billing", "KD_"))
        .hasMessageEndingWith("but was 'KD_'");
  }
}
