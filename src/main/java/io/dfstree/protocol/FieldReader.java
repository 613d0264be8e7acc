package io.dfstree.protocol;

import io.vertx.core.buffer.Buffer;

/** Reads the fixed-width fields of an answer body one after the other. */
final class FieldReader {
  final Buffer b;
  int at;

  FieldReader(Buffer b) {
    this.b = b;
  }

  long i64() {
    long v = b.getLong(at);
    at += 8;
    return v;
  }

  int i32() {
    int v = b.getInt(at);
    at += 4;
    return v;
  }

  int u8() {
    return b.getByte(at++) & 0xFF;
  }

  String fixed(int width) {
    String s = Wire.readFixed(b, at, width);
    at += width;
    return s;
  }
}
