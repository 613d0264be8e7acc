package io.dfstree.api;

/**
 * Indexes of the 38 FastDFS statistics counters, in the order the list-storages record carries
 * them.
 */
public final class StorageCounters {
  private StorageCounters() {}

  public static final int COUNT = 38;
  public static final int TOTAL_UPLOAD = 0,
      SUCCESS_UPLOAD = 1,
      TOTAL_APPEND = 2,
      SUCCESS_APPEND = 3,
      TOTAL_MODIFY = 4,
      SUCCESS_MODIFY = 5,
      TOTAL_TRUNCATE = 6,
      SUCCESS_TRUNCATE = 7,
      TOTAL_SET_META = 8,
      SUCCESS_SET_META = 9,
      TOTAL_DELETE = 10,
      SUCCESS_DELETE = 11,
      TOTAL_DOWNLOAD = 12,
      SUCCESS_DOWNLOAD = 13,
      TOTAL_GET_META = 14,
      SUCCESS_GET_META = 15,
      TOTAL_CREATE_LINK = 16,
      SUCCESS_CREATE_LINK = 17,
      TOTAL_DELETE_LINK = 18,
      SUCCESS_DELETE_LINK = 19,
      TOTAL_UPLOAD_BYTES = 20,
      SUCCESS_UPLOAD_BYTES = 21,
      TOTAL_APPEND_BYTES = 22,
      SUCCESS_APPEND_BYTES = 23,
      TOTAL_MODIFY_BYTES = 24,
      SUCCESS_MODIFY_BYTES = 25,
      TOTAL_DOWNLOAD_BYTES = 26,
      SUCCESS_DOWNLOAD_BYTES = 27,
      TOTAL_SYNC_IN_BYTES = 28,
      SUCCESS_SYNC_IN_BYTES = 29,
      TOTAL_SYNC_OUT_BYTES = 30,
      SUCCESS_SYNC_OUT_BYTES = 31,
      TOTAL_FILE_OPEN = 32,
      SUCCESS_FILE_OPEN = 33,
      TOTAL_FILE_READ = 34,
      SUCCESS_FILE_READ = 35,
      TOTAL_FILE_WRITE = 36,
      SUCCESS_FILE_WRITE = 37;
}
