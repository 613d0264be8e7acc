package io.dfstree.storage.os;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few Linux libc calls the storage makes that Java does not offer (write-behind's {@code
 * sync_file_range}, hole punching's {@code fallocate}, the recycled files' lease test through
 * {@code fcntl}, a background thread's {@code setpriority} and {@code sched_setscheduler}), bound
 * once through JNA by name. Off Linux, or where JNA cannot load libc, there are none ({@link
 * #calls} is null) and each user falls back to what it did without them.
 */
public final class Libc {
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_CLOEXEC = 0x80000;

  /** The calls; JNA binds each by its name on first use. */
  public interface Calls extends Library {
    int open(String path, int flags);

    int close(int fd);

    int fcntl(int fd, int cmd, int arg);

    int fallocate(int fd, int mode, long offset, long length);

    int sync_file_range(int fd, long offset, long nbytes, int flags);

    int gettid();

    int setpriority(int which, int who, int prio);

    int sched_setscheduler(int pid, int policy, int[] param);
  }

  private static final String WHY_UNAVAILABLE;
  private static final Calls CALLS;

  static {
    Calls calls = null;
    String why = null;
    if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      try {
        calls = Native.load("c", Calls.class);
      } catch (Throwable e) {
        why = e.toString();
      }
    } else {
      why = "not Linux";
    }
    CALLS = calls;
    WHY_UNAVAILABLE = why;
  }

  private Libc() {}

  /** The bound calls, or null where they are unavailable ({@link #whyUnavailable}). */
  public static Calls calls() {
    return CALLS;
  }

  /** Why {@link #calls} is null (for the one log line its users write), or null when it is not. */
  public static String whyUnavailable() {
    return WHY_UNAVAILABLE;
  }

  /**
   * Gives the calling thread the nice value {@code nice} (Linux keeps one per thread), so that it
   * runs behind the threads that serve requests whenever they want the CPU and as fast as ever when
   * they do not. Raising one's own nice needs no privilege. False where it could not be set (no
   * libc, a libc without {@code gettid}, an error): the thread then keeps its priority.
   */
  public static boolean niceCallingThread(int nice) {
    return succeeds(c -> c.setpriority(PRIO_PROCESS, c.gettid(), nice));
  }

  private static final int PRIO_PROCESS = 0;

  /**
   * Puts the calling thread in Linux's {@code SCHED_IDLE} class: it runs only on a CPU that no
   * normal thread wants, and a normal thread that wakes takes its CPU at once (a niced thread keeps
   * the CPU for the rest of its slice, up to a few ms). Lowering one's own policy needs no
   * privilege. False where it could not be set (the thread keeps its class).
   */
  public static boolean idleCallingThread() {
    return succeeds(c -> c.sched_setscheduler(0, SCHED_IDLE, new int[] {0}));
  }

  /**
   * A background thread's factory: each thread it makes lowers itself to {@code nice} and, with
   * {@code idleClass}, to {@code SCHED_IDLE} ({@link #niceCallingThread}, {@link
   * #idleCallingThread}) before it runs anything, and is a daemon named {@code name}. Where neither
   * can be set the thread runs as any other.
   */
  public static java.util.concurrent.ThreadFactory lowPriorityThreads(
      String name, int nice, boolean idleClass) {
    return r -> {
      Thread t =
          new Thread(
              () -> {
                niceCallingThread(nice);
                if (idleClass) {
                  idleCallingThread();
                }
                r.run();
              },
              name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Whether {@code call} returned 0; false without libc or where the symbol is missing. */
  private static boolean succeeds(java.util.function.ToIntFunction<Calls> call) {
    Calls c = CALLS;
    if (c == null) {
      return false;
    }
    try {
      return call.applyAsInt(c) == 0;
    } catch (UnsatisfiedLinkError e) {
      return false;
    }
  }

  private static final int SCHED_IDLE = 5;

  /** The errno of the calling thread's last call through {@link #calls}. */
  public static int lastError() {
    return Native.getLastError();
  }
}
