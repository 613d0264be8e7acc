package io.dfstree.storage;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: what a lone forced append costs an event loop by where its {@code fdatasync} runs, as
 * a c=1 delete with fsync pays it (issue 9; benchmark/PROFILE.md, session 34). An epoll loop writes
 * an 80-byte line into a file written ahead, then forces it (a) on a thread of its own, which wakes
 * the loop when done ({@code hop}: what the storage does, through its packed committer or disk
 * pool), (b) through Linux AIO's {@code IOCB_CMD_FDSYNC}, whose completion wakes the loop through
 * an eventfd in its epoll set ({@code aio}: no thread of ours), or (c) on the loop itself ({@code
 * inline}: the floor, which a server must not do). Operations are spaced {@code gapMicros} apart,
 * as a c=1 client spaces them, in blocks of 200 rotated over the three. Prints each mode's
 * p50/p90/p99 and the process's CPU per operation.
 *
 * <p>{@code java -cp target/classes:target/test-classes:<deps> io.dfstree.storage.ForceHandoffBench
 * FILE [operations 4000] [gapMicros 300]} (x86-64 Linux).
 */
public final class ForceHandoffBench {
  /** libc, and Linux AIO's calls by number (no libc wrapper). */
  public interface C extends Library {
    int open(String path, int flags, int mode);

    long pwrite(int fd, Pointer buf, long n, long off);

    int fdatasync(int fd);

    long syscall(long nr, Object... args);
  }

  private static final C LIBC = com.sun.jna.Native.load("c", C.class);
  private static final String[] MODES = {"hop", "aio", "inline"};
  private static long aio;
  private static final Memory IOCB = new Memory(64);
  private static final Memory IOCBS = new Memory(8);
  private static final Memory EVENTS = new Memory(32 * 16);
  private static final Memory LINE = new Memory(80);
  private static int fd;
  private static long offset;
  private static IoEventLoop loop;
  private static FileDescriptor eventFd;
  private static Runnable pending;
  private static final ExecutorService FORCER = Executors.newSingleThreadExecutor();

  private ForceHandoffBench() {}

  public static void main(String[] args) throws Exception {
    String path = args[0];
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
    int gapMicros = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    fd = LIBC.open(path, 2 | 0100, 0644); // O_RDWR | O_CREAT
    Memory zeros = new Memory(1 << 20);
    zeros.clear();
    for (int i = 0; i < 64; i++) { // written ahead, as the binlog is: no size change per append
      LIBC.pwrite(fd, zeros, 1 << 20, (long) i << 20);
    }
    LIBC.fdatasync(fd);
    Memory ctx = new Memory(8);
    ctx.setLong(0, 0);
    if (LIBC.syscall(206L, 64, ctx) != 0) { // io_setup
      throw new IllegalStateException("io_setup: errno " + com.sun.jna.Native.getLastError());
    }
    aio = ctx.getLong(0);
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    loop = (IoEventLoop) group.next();
    eventFd = io.netty.channel.epoll.Native.newEventFd();
    EpollIoHandle completions =
        new EpollIoHandle() {
          @Override
          public FileDescriptor fd() {
            return eventFd;
          }

          @Override
          public void handle(IoRegistration reg, IoEvent ev) {
            io.netty.channel.epoll.Native.eventFdRead(eventFd.intValue());
            long got = LIBC.syscall(208L, aio, 0L, 16L, EVENTS, Pointer.NULL); // io_getevents
            for (int i = 0; i < got; i++) {
              if (EVENTS.getLong(i * 32L + 16) != 0) {
                throw new IllegalStateException("fdsync: " + EVENTS.getLong(i * 32L + 16));
              }
            }
            if (got > 0) {
              Runnable p = pending;
              pending = null;
              p.run();
            }
          }

          @Override
          public void close() {}
        };
    IoRegistration reg = loop.register(completions).get();
    loop.submit(() -> reg.submit(EpollIoOps.EPOLLIN)).get();
    List<List<Long>> latencies = new ArrayList<>();
    long[] cpu = new long[MODES.length];
    long[] ops = new long[MODES.length];
    for (int m = 0; m < MODES.length; m++) {
      latencies.add(new ArrayList<>());
    }
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int block = 0; block <= n / 200; block++) {
      for (int m = 0; m < MODES.length; m++) {
        int count = block == 0 ? 100 : 200; // block 0 warms up
        long c0 = os.getProcessCpuTime();
        long[] l = runBlock(MODES[m], count, gapMicros);
        long c1 = os.getProcessCpuTime();
        if (block > 0) {
          for (long x : l) {
            latencies.get(m).add(x);
          }
          cpu[m] += c1 - c0;
          ops[m] += count;
        }
      }
    }
    for (int m = 0; m < MODES.length; m++) {
      List<Long> l = latencies.get(m);
      Collections.sort(l);
      System.out.printf(
          "%-6s n=%d p50=%.1f us p90=%.1f us p99=%.1f us cpu/op=%.1f us (process, idle gaps"
              + " included)%n",
          MODES[m],
          l.size(),
          l.get(l.size() / 2) / 1e3,
          l.get(l.size() * 9 / 10) / 1e3,
          l.get(l.size() * 99 / 100) / 1e3,
          cpu[m] / 1e3 / ops[m]);
    }
    System.exit(0);
  }

  private static long[] runBlock(String mode, int count, int gapMicros) throws Exception {
    long[] out = new long[count];
    CompletableFuture<Void> all = new CompletableFuture<>();
    loop.execute(
        new Runnable() {
          int i;

          @Override
          public void run() {
            long start = System.nanoTime();
            Runnable done =
                () -> {
                  out[i] = System.nanoTime() - start;
                  if (++i == count) {
                    all.complete(null);
                  } else {
                    loop.schedule(this, gapMicros, TimeUnit.MICROSECONDS);
                  }
                };
            LINE.setLong(0, start);
            if (LIBC.pwrite(fd, LINE, 80, offset) != 80) {
              throw new IllegalStateException("pwrite");
            }
            offset = offset + 80 > (60L << 20) ? 0 : offset + 80;
            switch (mode) {
              case "inline" -> {
                LIBC.fdatasync(fd);
                done.run();
              }
              case "hop" ->
                  FORCER.execute(
                      () -> {
                        LIBC.fdatasync(fd);
                        loop.execute(done);
                      });
              default -> {
                IOCB.clear();
                IOCB.setShort(16, (short) 3); // IOCB_CMD_FDSYNC
                IOCB.setInt(20, fd);
                IOCB.setInt(56, 1); // IOCB_FLAG_RESFD
                IOCB.setInt(60, eventFd.intValue());
                IOCBS.setPointer(0, IOCB);
                pending = done;
                if (LIBC.syscall(209L, aio, 1L, IOCBS) != 1) { // io_submit
                  throw new IllegalStateException("io_submit");
                }
              }
            }
          }
        });
    all.get(60, TimeUnit.SECONDS);
    return out;
  }
}
