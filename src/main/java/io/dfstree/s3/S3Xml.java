package io.dfstree.s3;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The XML S3 speaks: a small writer for answers, and parsers for the two request bodies we read.
 */
final class S3Xml {
  static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final StringBuilder sb =
      new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  private final List<String> open = new ArrayList<>();

  static S3Xml root(String name) {
    S3Xml x = new S3Xml();
    x.sb.append('<').append(name).append(" xmlns=\"").append(NS).append("\">");
    x.open.add(name);
    return x;
  }

  S3Xml start(String name) {
    sb.append('<').append(name).append('>');
    open.add(name);
    return this;
  }

  S3Xml end() {
    sb.append("</").append(open.remove(open.size() - 1)).append('>');
    return this;
  }

  S3Xml el(String name, Object value) {
    if (value == null) {
      return this;
    }
    sb.append('<').append(name).append('>');
    escape(String.valueOf(value));
    sb.append("</").append(name).append('>');
    return this;
  }

  private void escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            sb.append("&#x").append(Integer.toHexString(c)).append(';');
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  String done() {
    while (!open.isEmpty()) {
      end();
    }
    return sb.toString();
  }

  static String time(long millis) {
    return ISO.format(Instant.ofEpochMilli(millis));
  }

  static String error(S3Exception e, String resource, String requestId) {
    S3Xml x = new S3Xml();
    x.start("Error")
        .el("Code", e.code())
        .el("Message", e.getMessage())
        .el("Resource", resource)
        .el("RequestId", requestId);
    return x.done();
  }

  // ---- request bodies
  // ------------------------------------------------------------------------------

  record CompletedPart(int number, String etag) {}

  record DeleteRequest(boolean quiet, List<String> keys) {}

  static List<CompletedPart> completeMultipart(byte[] body) {
    Element root = parse(body, "CompleteMultipartUpload");
    List<CompletedPart> out = new ArrayList<>();
    for (Element part : children(root, "Part")) {
      String n = text(part, "PartNumber");
      String etag = text(part, "ETag");
      if (n == null || etag == null) {
        throw S3Exception.malformedXml("every Part needs a PartNumber and an ETag");
      }
      try {
        out.add(new CompletedPart(Integer.parseInt(n.trim()), stripQuotes(etag.trim())));
      } catch (NumberFormatException e) {
        throw S3Exception.malformedXml("PartNumber is not a number: " + n);
      }
    }
    if (out.isEmpty()) {
      throw S3Exception.malformedXml("The XML you provided did not list any part");
    }
    return out;
  }

  static DeleteRequest delete(byte[] body) {
    Element root = parse(body, "Delete");
    boolean quiet = "true".equalsIgnoreCase(String.valueOf(text(root, "Quiet")).trim());
    List<String> keys = new ArrayList<>();
    for (Element o : children(root, "Object")) {
      String k = text(o, "Key");
      if (k == null) {
        throw S3Exception.malformedXml("every Object needs a Key");
      }
      keys.add(k);
    }
    if (keys.isEmpty() || keys.size() > 1000) {
      throw S3Exception.malformedXml("Delete must name 1 to 1000 objects");
    }
    return new DeleteRequest(quiet, keys);
  }

  static String stripQuotes(String etag) {
    String e = etag;
    if (e.startsWith("&quot;")) {
      e = e.substring(6);
    }
    if (e.endsWith("&quot;")) {
      e = e.substring(0, e.length() - 6);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e;
  }

  private static Element parse(byte[] body, String rootName) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      // no DTDs, no external entities: request bodies come from anyone
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(true);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      Document d = b.parse(new ByteArrayInputStream(body));
      Element root = d.getDocumentElement();
      if (!rootName.equals(root.getLocalName())) {
        throw S3Exception.malformedXml(
            "expected <" + rootName + ">, got <" + root.getLocalName() + ">");
      }
      return root;
    } catch (S3Exception e) {
      throw e;
    } catch (Exception e) {
      throw S3Exception.malformedXml(
          "The XML you provided was not well-formed or did not validate: " + e.getMessage());
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nl = parent.getChildNodes();
    for (int i = 0; i < nl.getLength(); i++) {
      Node n = nl.item(i);
      if (n instanceof Element e && name.equals(e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    List<Element> c = children(parent, name);
    return c.isEmpty() ? null : c.get(0).getTextContent();
  }
}
