package io.github.kafkadedup.testsupport;

/** A child JVM program for {@link ChildJvmIT}: prints "ready" and sleeps. */
public final class SleepingMain {
  private SleepingMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("ready " + String.join(",", args));
    Thread.sleep(120_000);
  }
}
