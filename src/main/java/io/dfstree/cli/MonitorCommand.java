package io.dfstree.cli;

import io.dfstree.api.StorageCounters;
import io.dfstree.client.GroupStat;
import io.dfstree.client.StorageStat;
import io.dfstree.client.TrackerSession;
import io.dfstree.protocol.StorageStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code monitor [group]}: the essentials of fdfs_monitor as a readable table — groups with
 * space and storage counts, and each storage's state, space, traffic and last heartbeat.
 */
@Command(mixinStandardHelpOptions = true, name = "monitor", description = "Show groups and storage servers as the tracker sees them.")
final class MonitorCommand extends ClientCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "GROUP", description = "only this group")
  String onlyGroup;

  /** A group and its storages, the unit both outputs are built from. */
  record GroupView(GroupStat group, List<StorageStat> storages) {
    long activeCount() {
      // modern list-groups records do not carry an active count; the storage list does
      return group.activeCount() >= 0 ? group.activeCount()
          : storages.stream().filter(s -> s.status() == StorageStatus.ACTIVE).count();
    }
  }

  @Override
  int execute() throws IOException {
    List<GroupView> views = new ArrayList<>();
    String trackerName;
    try (TrackerSession tracker = client().openTracker()) {
      trackerName = tracker.peer();
      for (GroupStat g : tracker.listGroups()) {
        if (onlyGroup == null || onlyGroup.equals(g.name())) {
          views.add(new GroupView(g, tracker.listStorages(g.name(), null)));
        }
      }
    }
    if (onlyGroup != null && views.isEmpty()) {
      throw new io.dfstree.protocol.FdfsException(io.dfstree.protocol.Errno.ENOENT, "group " + onlyGroup
          + " is not known to tracker " + trackerName);
    }
    if (json) {
      printJson(toJson(trackerName, views));
    } else {
      printTable(trackerName, views, Instant.now().getEpochSecond());
    }
    return 0;
  }

  private void printTable(String tracker, List<GroupView> views, long now) {
    out().printf("tracker %s: %d group(s)%n", tracker, views.size());
    for (GroupView v : views) {
      GroupStat g = v.group();
      out().printf("%ngroup %s: free %d / total %d MB, %d storage(s), %d active, port %d%n",
          g.name(), g.freeMb(), g.totalMb(), g.storageCount(), v.activeCount(), g.storagePort());
      out().printf("  %-16s %-21s %-9s %10s %10s %15s %15s  %s%n",
          "ID", "HOST:PORT", "STATE", "FREE MB", "TOTAL MB", "UPLOADS ok/all", "DOWNLOADS ok/all", "LAST HEARTBEAT");
      for (StorageStat s : v.storages()) {
        out().printf("  %-16s %-21s %-9s %10d %10d %15s %15s  %s%n",
            s.id(), s.ip() + ":" + s.storagePort(), s.status().name(), s.freeMb(), s.totalMb(),
            s.counter(StorageCounters.SUCCESS_UPLOAD) + "/" + s.counter(StorageCounters.TOTAL_UPLOAD),
            s.counter(StorageCounters.SUCCESS_DOWNLOAD) + "/" + s.counter(StorageCounters.TOTAL_DOWNLOAD),
            heartbeat(s.lastHeartbeatTime(), now));
      }
    }
  }

  static String heartbeat(long epochSeconds, long now) {
    if (epochSeconds <= 0) {
      return "never";
    }
    return Instant.ofEpochSecond(epochSeconds) + " (" + Math.max(0, now - epochSeconds) + "s ago)";
  }

  private static Map<String, Object> toJson(String tracker, List<GroupView> views) {
    List<Object> groups = new ArrayList<>();
    for (GroupView v : views) {
      GroupStat g = v.group();
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("name", g.name());
      group.put("freeMb", g.freeMb());
      group.put("totalMb", g.totalMb());
      group.put("storageCount", g.storageCount());
      group.put("activeCount", v.activeCount());
      group.put("storagePort", g.storagePort());
      List<Object> storages = new ArrayList<>();
      for (StorageStat s : v.storages()) {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("id", s.id());
        st.put("ip", s.ip());
        st.put("port", s.storagePort());
        st.put("status", s.status().name());
        st.put("version", s.version());
        st.put("freeMb", s.freeMb());
        st.put("totalMb", s.totalMb());
        st.put("uploads", s.counter(StorageCounters.TOTAL_UPLOAD));
        st.put("successUploads", s.counter(StorageCounters.SUCCESS_UPLOAD));
        st.put("downloads", s.counter(StorageCounters.TOTAL_DOWNLOAD));
        st.put("successDownloads", s.counter(StorageCounters.SUCCESS_DOWNLOAD));
        st.put("lastHeartbeat", s.lastHeartbeatTime());
        storages.add(st);
      }
      group.put("storages", storages);
      groups.add(group);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tracker", tracker);
    out.put("groups", groups);
    return out;
  }
}
