package io.dfstree.client;

/** A file the storage created or renamed: its group and remote name ({@code M00/00/00/...}). */
public record StoredFile(String group, String remoteName) {
  /** The file id users pass around: {@code group/remoteName}. */
  public String fileId() {
    return group + "/" + remoteName;
  }

  @Override
  public String toString() {
    return fileId();
  }
}
