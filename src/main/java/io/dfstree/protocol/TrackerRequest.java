package io.dfstree.protocol;

/**
 * Every request a tracker answers, one record per command (fastdfs-protocol.md §2). The bytes are
 * written and read only by {@link TrackerCodec}. Tracker requests are small and read whole. Group
 * names are checked for NUL padding here; whether a name is a valid group name is the tracker's
 * rule ({@code FileId.checkGroupName}).
 */
public sealed interface TrackerRequest {
  /** The command byte. */
  byte command();

  /**
   * 101 (any group, one storage), 104 (in {@code group}, one), 106 (any group, every storage) or
   * 107 (in {@code group}, every storage). {@code group} null: any group.
   */
  record QueryStore(String group, boolean all) implements TrackerRequest {
    public byte command() {
      if (group == null) {
        return all ? Command.QUERY_STORE_WITHOUT_GROUP_ALL : Command.QUERY_STORE_WITHOUT_GROUP_ONE;
      }
      return all ? Command.QUERY_STORE_WITH_GROUP_ALL : Command.QUERY_STORE_WITH_GROUP_ONE;
    }
  }

  /** 102 (one storage that can serve a download of the file) or 105 (all of them). */
  record QueryFetch(String group, String name, boolean all) implements TrackerRequest {
    public byte command() {
      return all ? Command.QUERY_FETCH_ALL : Command.QUERY_FETCH_ONE;
    }
  }

  /** 103: the storage that accepts changes to the file. */
  record QueryUpdate(String group, String name) implements TrackerRequest {
    public byte command() {
      return Command.QUERY_UPDATE;
    }
  }

  /** 91: every group's statistics. */
  record ListGroups() implements TrackerRequest {
    public byte command() {
      return Command.LIST_ALL_GROUPS;
    }
  }

  /** 90: one group's statistics. */
  record ListOneGroup(String group) implements TrackerRequest {
    public byte command() {
      return Command.LIST_ONE_GROUP;
    }
  }

  /**
   * 92: the storages of a group, or only those matching {@code filter} (id or address) when it is
   * not empty.
   */
  record ListStorages(String group, String filter) implements TrackerRequest {
    public byte command() {
      return Command.LIST_STORAGE;
    }
  }

  /** 93: forget storage {@code idOrHost} of {@code group}. */
  record DeleteStorage(String group, String idOrHost) implements TrackerRequest {
    public byte command() {
      return Command.DELETE_STORAGE;
    }
  }

  /** 95: which tracker leads. */
  record GetLeader() implements TrackerRequest {
    public byte command() {
      return Command.GET_LEADER;
    }
  }

  /**
   * 69: the storage id table from {@code startIndex} on. {@code allowEmpty} is the fifth byte newer
   * clients send; null for the 4-byte form.
   */
  record FetchStorageIds(int startIndex, Boolean allowEmpty) implements TrackerRequest {
    public byte command() {
      return Command.FETCH_STORAGE_IDS;
    }
  }

  /** 75: the tracker's parameters. */
  record GetParameters() implements TrackerRequest {
    public byte command() {
      return Command.PARAMETER_REQ;
    }
  }

  /** 111. */
  record ActiveTest() implements TrackerRequest {
    public byte command() {
      return Command.ACTIVE_TEST;
    }
  }

  /** 82: the server closes without answering. */
  record Quit() implements TrackerRequest {
    public byte command() {
      return Command.QUIT;
    }
  }
}
