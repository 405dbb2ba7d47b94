package io.github.kafkadedup.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code java} block of every Markdown file in the repository (README.md, docs/, the modules'
 * READMEs) compiles against the current code, so the documentation cannot rot unnoticed. How a block is
 * wrapped, and how a deliberately partial one is excluded: {@link MarkdownSnippets}.
 */
class DocSnippetsTest {
  private static final Path ROOT = repositoryRoot();

  @Test
  void everyJavaBlockOfTheDocumentationCompiles() throws IOException {
    List<Snippet> snippets = new ArrayList<>();
    for (Path markdown : markdownFiles()) {
      snippets.addAll(MarkdownSnippets.read(markdown, ROOT.relativize(markdown).toString().replace('\\', '/')));
    }
    // README.md alone has four: a floor that notices when the scan silently finds nothing
    assertThat(snippets).as("java blocks found under %s", ROOT).hasSizeGreaterThanOrEqualTo(4);
    snippets.stream().filter(s -> s.kind() == Snippet.Kind.SKIP)
        .forEach(s -> System.out.println("not compiled (marked skip): " + s.where() + ": " + s.skipReason()));

    List<String> errors = SnippetCompiler.compile(snippets, Path.of("target", "doc-snippets"));

    assertThat(errors).as("compile errors in documentation snippets (file:line: message); wrap or mark a block "
        + "with <!-- snippet: ... --> as MarkdownSnippets describes").isEmpty();
  }

  @Test
  void theReadmeConsumerExampleCarriesAllItsImports() {
    List<Snippet> readme = MarkdownSnippets.read(ROOT.resolve("README.md"), "README.md");

    // the first runnable consumer is the quick start a newcomer copies; later ones (the outbox) build on it
    assertThat(readme).filteredOn(s -> s.lines().stream().anyMatch(l -> l.contains("consumer.run()")))
        .first().matches(Snippet::ownImports, "is marked own-imports, so a copy compiles as it stands");
  }

  private static List<Path> markdownFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      return walk.filter(p -> p.toString().endsWith(".md"))
          .filter(DocSnippetsTest::isTracked)
          .sorted()
          .toList();
    }
  }

  /** Skips build output, hidden folders (.git, .mvn) and other worktrees' copies. */
  private static boolean isTracked(Path p) {
    for (Path part : ROOT.relativize(p)) {
      String name = part.toString();
      if (name.equals("target") || name.startsWith("target-") || name.startsWith(".") || name.equals("node_modules")) {
        return false;
      }
    }
    return true;
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no repository root (a folder with mvnw) above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
