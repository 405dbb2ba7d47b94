package io.github.kafkadedup.testsupport;

/**
 * A child JVM program for {@link ChildDeathIT}: starts a grandchild (this class again, with {@code leaf}) through
 * {@link ChildJvm} and, with {@code postgres}, this JVM's embedded PostgreSQL; prints their pids and sleeps until
 * killed. As a leaf it prints "ready" and sleeps until killed.
 */
public final class MiddleMain {
  private MiddleMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("leaf")) {
      System.out.println("ready");
      Thread.sleep(Long.MAX_VALUE);
      return;
    }
    ChildJvm grandchild = ChildJvm.builder(MiddleMain.class).name("grandchild").args("leaf").start();
    grandchild.awaitLine("ready", Readiness.BOUND);
    System.out.println("grandchild " + grandchild.pid());
    if (args.length > 0 && args[0].equals("postgres")) {
      TestPostgres postgres = TestPostgres.get();
      System.out.println("postmaster " + postgres.postmasterPid().orElseThrow());
    }
    System.out.println("middle ready");
    Thread.sleep(Long.MAX_VALUE);
  }
}
