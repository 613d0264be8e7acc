package io.dfstree.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * FastDFS metadata: records separated by 0x01, name and value by 0x02 (fastdfs-protocol.md §4).
 * Names are cut to 64 bytes and values to 256 as upstream does; records without 0x02 are dropped.
 * Stored sorted by name (byte order) so the -m file and every reply are canonical.
 */
public final class Metadata {
  public static final byte RECORD_SEPARATOR = 0x01;
  public static final byte FIELD_SEPARATOR = 0x02;
  public static final int MAX_NAME = 64;
  public static final int MAX_VALUE = 256;

  /** One name/value pair, as raw bytes (the server does not interpret the client's charset). */
  public record Entry(byte[] name, byte[] value) {
    public String nameString() {
      return new String(name, java.nio.charset.StandardCharsets.UTF_8);
    }

    public String valueString() {
      return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static Entry of(String name, String value) {
      return new Entry(Wire.bytes(name), Wire.bytes(value));
    }
  }

  private Metadata() {}

  public static List<Entry> decode(byte[] raw) {
    List<Entry> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= raw.length; i++) {
      if (i == raw.length || raw[i] == RECORD_SEPARATOR) {
        Entry e = decodeRecord(raw, start, i);
        if (e != null) {
          out.add(e);
        }
        start = i + 1;
      }
    }
    return out;
  }

  private static Entry decodeRecord(byte[] raw, int from, int to) {
    for (int i = from; i < to; i++) {
      if (raw[i] == FIELD_SEPARATOR) {
        byte[] name = Arrays.copyOfRange(raw, from, Math.min(i, from + MAX_NAME));
        byte[] value = Arrays.copyOfRange(raw, i + 1, Math.min(to, i + 1 + MAX_VALUE));
        return name.length == 0 ? null : new Entry(name, value);
      }
    }
    return null;
  }

  public static byte[] encode(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean first = true;
    for (Entry e : entries) {
      if (!first) {
        out.write(RECORD_SEPARATOR);
      }
      first = false;
      out.writeBytes(e.name());
      out.write(FIELD_SEPARATOR);
      out.writeBytes(e.value());
    }
    return out.toByteArray();
  }

  public static List<Entry> sorted(List<Entry> entries) {
    List<Entry> copy = new ArrayList<>(entries);
    copy.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
    return copy;
  }

  /**
   * Merge as FastDFS does: existing names replaced by the first new entry of that name, new names
   * added.
   */
  public static List<Entry> merge(List<Entry> existing, List<Entry> incoming) {
    // Only stored entries can be replaced, each one once: incoming duplicates are not collapsed
    // into each other (upstream merges the two sorted lists pairwise).
    List<Entry> result = new ArrayList<>(existing);
    boolean[] replaced = new boolean[existing.size()];
    for (Entry in : incoming) {
      int match = -1;
      for (int i = 0; i < existing.size() && match < 0; i++) {
        if (!replaced[i] && Arrays.equals(existing.get(i).name(), in.name())) {
          match = i;
        }
      }
      if (match >= 0) {
        result.set(match, in);
        replaced[match] = true;
      } else {
        result.add(in);
      }
    }
    return sorted(result);
  }
}
