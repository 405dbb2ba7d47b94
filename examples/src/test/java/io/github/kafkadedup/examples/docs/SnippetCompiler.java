package io.github.kafkadedup.examples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles documentation snippets with {@code javax.tools} against the test class path and reports every
 * error at its Markdown file and line ({@code docs/spring-boot.md:81: cannot find symbol ...}).
 */
final class SnippetCompiler {
  private static StandardJavaFileManager files;

  private SnippetCompiler() {}

  /** Compiles every non-skipped snippet in one javac run; returns the errors, empty when all compile. */
  static List<String> compile(List<Snippet> snippets, Path outputDirectory) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
    }
    Map<JavaFileObject, SnippetSource> sources = new IdentityHashMap<>();
    for (Snippet s : snippets) {
      if (s.kind() != Snippet.Kind.SKIP) {
        SnippetSource source = new SnippetSource(s);
        sources.put(new InMemorySource(source), source);
      }
    }
    if (sources.isEmpty()) {
      return List.of();
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try {
      Files.createDirectories(outputDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> options = List.of("-proc:none", "-implicit:none", "-Xlint:none", "-nowarn",
        "--release", "21", "-classpath", testClassPath(), "-d", outputDirectory.toString());
    javac.getTask(null, fileManager(javac), diagnostics, options, null, sources.keySet()).call();
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        SnippetSource source = sources.get(d.getSource());
        String where = source == null ? "javac" : source.snippet.file() + ":" + source.markdownLine(d.getLineNumber());
        errors.add(where + ": " + d.getMessage(Locale.ROOT));
      }
    }
    return errors;
  }

  /** One file manager per JVM, reused by every compile: it keeps the class path's jars open and indexed. */
  private static synchronized StandardJavaFileManager fileManager(JavaCompiler javac) {
    if (files == null) {
      files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
    }
    return files;
  }

  /** Surefire runs tests from a manifest-only jar; the real class path is in surefire.test.class.path. */
  static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path", "");
  }

  private static final class InMemorySource extends SimpleJavaFileObject {
    private final String text;

    InMemorySource(SnippetSource source) {
      super(URI.create("string:///" + source.packageName.replace('.', '/') + "/" + source.fileName()), Kind.SOURCE);
      this.text = source.text();
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }
}
