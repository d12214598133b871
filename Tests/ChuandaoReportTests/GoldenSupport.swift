import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Golden files: `Golden/NAME.svg` beside this file. With CHUANDAO_RECORD_GOLDEN=1 the
/// test writes the file instead of comparing (see docs/golden-files.md).
enum Golden {
  static var recording: Bool {
    ProcessInfo.processInfo.environment["CHUANDAO_RECORD_GOLDEN"] == "1"
  }

  /// The source tree's copy, written when recording.
  static func sourceURL(_ name: String, filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).deletingLastPathComponent()
      .appendingPathComponent("Golden/\(name).svg")
  }

  /// The copy in the test bundle, compared against.
  static func bundleURL(_ name: String) -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Golden/\(name).svg")
  }

  static func check(_ svg: String, name: String, sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    if recording {
      try Data(svg.utf8).write(to: sourceURL(name), options: .atomic)
      return
    }
    guard let data = try? Data(contentsOf: bundleURL(name)) else {
      Issue.record(
        "no golden file Golden/\(name).svg: record it with CHUANDAO_RECORD_GOLDEN=1",
        sourceLocation: sourceLocation)
      return
    }
    let golden = String(decoding: data, as: UTF8.self)
    if golden != svg {
      let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
      let b = svg.split(separator: "\n", omittingEmptySubsequences: false)
      let line =
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(a.count, b.count)
      let want = line < a.count ? String(a[line]) : "<end>"
      let got = line < b.count ? String(b[line]) : "<end>"
      Issue.record(
        "\(name).svg differs from its golden file at line \(line + 1):\n  golden: \(want)\n  now:    \(got)",
        sourceLocation: sourceLocation)
    }
  }
}

/// What an SVG holds, read back with Foundation's XMLParser.
final class SVGCheck: NSObject, XMLParserDelegate {
  var rootName = ""
  var rootAttributes: [String: String] = [:]
  var marks = 0
  var marksWithTitle = 0
  var texts = 0
  var topLevelTitle = false
  var topLevelDesc = false
  private var stack: [(name: String, isMark: Bool)] = []
  private var pendingMark = false

  /// Parses `svg`; nil with the parser's error when it is not well-formed.
  static func parse(_ svg: String) -> (SVGCheck?, String?) {
    let check = SVGCheck()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = check
    if parser.parse() { return (check, nil) }
    return (nil, parser.parserError.map { "\($0)" } ?? "parse failed at line \(parser.lineNumber)")
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
    qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    if stack.isEmpty {
      rootName = name
      rootAttributes = attributes
    }
    if name == "title" {
      if stack.count == 1 { topLevelTitle = true }
      if let parent = stack.last, parent.isMark, pendingMark {
        marksWithTitle += 1
        pendingMark = false
      }
    }
    if name == "desc" && stack.count == 1 { topLevelDesc = true }
    if name == "text" { texts += 1 }
    let isMark = attributes["class"] == "mark"
    if isMark {
      marks += 1
      pendingMark = true
    }
    stack.append((name, isMark))
  }

  func parser(
    _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
  ) {
    if stack.last?.isMark == true { pendingMark = false }
    stack.removeLast()
  }
}
