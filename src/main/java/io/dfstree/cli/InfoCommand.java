package io.dfstree.cli;

import io.dfstree.client.StoredFileInfo;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code info <fileId>}: like fdfs_file_info. A normal file's name already holds its size, time and
 * CRC32, so it is decoded here without a network call; appender and slave names do not describe
 * their current content, so those ask the storage (query file info, 22).
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "info",
    description = "Show what a file id says: type, source, time, size, CRC32.")
final class InfoCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "FILEID")
  String fileId;

  @Option(
      names = "--no-crc",
      description = "do not let the server compute the CRC32 of appender/slave files")
  boolean noCrc;

  @Override
  int execute() throws IOException {
    FileId id = FileId.parse(fileId);
    FileName.Decoded decoded = id.decoded();
    String type = decoded.appender() ? "appender" : decoded.slave() ? "slave" : "normal";
    boolean fromServer = !decoded.nameDescribesContent();
    long size = decoded.fileSize();
    long createTime = decoded.createTime() & 0xFFFFFFFFL;
    long crc32 = decoded.crc32Unsigned();
    String sourceIp = decoded.sourceIp();
    if (fromServer) {
      StoredFileInfo info = client().queryFileInfo(fileId, !noCrc);
      size = info.size();
      createTime = info.createTime();
      crc32 = info.crc32();
      if (!info.sourceIp().isEmpty()) {
        sourceIp = info.sourceIp();
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("fileId", fileId);
    result.put("type", type);
    result.put("fromServer", fromServer);
    result.put("sourceStorageId", decoded.sourceId() == 0 ? null : decoded.sourceId());
    result.put("sourceIp", sourceIp.isEmpty() ? null : sourceIp);
    result.put("createTime", Instant.ofEpochSecond(createTime).toString());
    result.put("size", size);
    result.put("crc32", crc32);
    if (json) {
      printJson(result);
      return 0;
    }
    out().printf("file id:          %s%n", fileId);
    out().printf("file type:        %s%n", type);
    out().printf("got from server:  %s%n", fromServer);
    out()
        .printf(
            "source storage:   %s%n",
            decoded.sourceId() != 0
                ? "id " + decoded.sourceId() + (sourceIp.isEmpty() ? "" : " (" + sourceIp + ")")
                : sourceIp);
    out().printf("create time:      %s%n", result.get("createTime"));
    out().printf("file size:        %d%n", size);
    out().printf("file crc32:       %d (0x%08X)%n", crc32, crc32);
    return 0;
  }
}
