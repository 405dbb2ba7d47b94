package io.github.kafkadedup.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snippet checker itself: it must fail on a broken block, at the right line, and never skip silently. */
class SnippetCheckerTest {
  @TempDir
  Path out;

  @Test
  void aCompileErrorNamesTheMarkdownFileAndLine() {
    List<Snippet> snippets = MarkdownSnippets.parse(List.of(
        "# Title",
        "```java",
        "int ok = 1;",
        "String broken = undefinedVariable;",
        "```"), "docs/x.md");

    assertThat(SnippetCompiler.compile(snippets, out))
        .singleElement().asString().startsWith("docs/x.md:4: ").contains("undefinedVariable");
  }

  @Test
  void validStatementsMembersAndFilesCompileWithDefaultImportsAndGivens() {
    List<Snippet> snippets = MarkdownSnippets.parse(List.of(
        "```java",
        "Map<String, Object> props = Map.of(\"group.id\", \"g\");",
        "```",
        "<!-- snippet: given=\"interface Orders { void apply(String id); }; Orders orders; DataSource dataSource\" -->",
        "```java",
        "orders.apply(dataSource.toString());",
        "```",
        "<!-- snippet: members given=\"JdbcTemplate jdbc\" -->",
        "",
        "```java",
        "@Bean",
        "DedupSchema schema() { jdbc.execute(\"select 1\"); return DedupSchema.of(\"billing\", \"kd_\"); }",
        "```",
        "<!-- snippet: file -->",
        "  ```java",
        "  public record Order(String id) {}",
        "  ```"), "docs/y.md");

    assertThat(SnippetCompiler.compile(snippets, out)).isEmpty();
  }

  @Test
  void ownImportsLeavesOutTheDefaultImports() {
    List<Snippet> snippets = MarkdownSnippets.parse(List.of(
        "<!-- snippet: own-imports -->",
        "```java",
        "import java.util.List;",
        "List<String> a = List.of();",
        "Map<String, String> b = Map.of();",
        "```"), "README.md");

    assertThat(SnippetCompiler.compile(snippets, out))
        .isNotEmpty().allSatisfy(e -> assertThat(e).startsWith("README.md:5: ").contains("symbol: ", "Map"));
  }

  @Test
  void aSkippedBlockIsNotCompiledButNeedsAReason() {
    List<Snippet> skipped = MarkdownSnippets.parse(List.of(
        "<!-- snippet: skip reason=\"elides arguments\" -->",
        "```java",
        "ctx.insertInto(TABLE, ...)",
        "```"), "a.md");
    assertThat(skipped).singleElement().extracting(Snippet::skipReason).isEqualTo("elides arguments");
    assertThat(SnippetCompiler.compile(skipped, out)).isEmpty();

    assertThatThrownBy(() -> MarkdownSnippets.parse(List.of("<!-- snippet: skip -->", "```java", "x", "```"), "a.md"))
        .hasMessageContaining("a.md:1").hasMessageContaining("reason");
  }

  @Test
  void aMisplacedOrMisspeltMarkerIsAnError() {
    assertThatThrownBy(() -> MarkdownSnippets.parse(List.of("<!-- snippet: skip reason=\"r\" -->", "text", "```java",
        "x", "```"), "b.md")).hasMessageContaining("b.md:1").hasMessageContaining("right before");
    assertThatThrownBy(() -> MarkdownSnippets.parse(List.of("<!-- snippet: member -->", "```java", "```"), "b.md"))
        .hasMessageContaining("unknown snippet marker word 'member'");
    assertThatThrownBy(() -> MarkdownSnippets.parse(List.of("<!-- snippet: statements -->"), "b.md"))
        .hasMessageContaining("without a ```java block");
    assertThatThrownBy(() -> MarkdownSnippets.parse(List.of("```java", "x"), "b.md"))
        .hasMessageContaining("never closed");
  }
}
