import Foundation

/// The language of tables, reports and messages (`--lang zh|en`).
public enum Language: String, Sendable, CaseIterable {
  case zh, en

  /// Picks the text for this language.
  @inlinable public func pick(_ zh: String, _ en: String) -> String { self == .zh ? zh : en }
}

/// One problem found in the input: `FILE:LINE: error|warning: message`.
public struct Diagnostic: Sendable, Equatable {
  public enum Severity: String, Sendable { case error, warning }

  public var severity: Severity
  /// The file name inside the dataset folder (`org.csv`), or a path for files given directly.
  public var file: String
  /// The physical line (header = 1); nil when the problem concerns the file as a whole.
  public var line: Int?
  public var message: LocalizedText

  public init(_ severity: Severity, file: String, line: Int?, _ message: LocalizedText) {
    self.severity = severity
    self.file = file
    self.line = line
    self.message = message
  }

  /// The compiler-style line, e.g. `org.csv:12: error: unknown parent 'B9'`.
  public func formatted(_ lang: Language = .en) -> String {
    // The severity word stays English in both languages so that editors and scripts can
    // parse the line; the message itself is localised.
    let place = line.map { "\(file):\($0)" } ?? file
    return "\(place): \(severity.rawValue): \(message.text(lang))"
  }
}

/// A message with its Chinese and English text.
public struct LocalizedText: Sendable, Equatable, CustomStringConvertible {
  public var zh: String
  public var en: String
  public init(zh: String, en: String) {
    self.zh = zh
    self.en = en
  }
  public func text(_ lang: Language) -> String { lang == .zh ? zh : en }
  public var description: String { en }
}

/// Collects every problem found while reading a dataset, in the order found.
public struct DiagnosticLog: Sendable {
  public private(set) var items: [Diagnostic] = []
  public private(set) var errorCount = 0
  public private(set) var warningCount = 0

  public init() {}

  public var hasErrors: Bool { errorCount > 0 }

  public mutating func error(_ file: String, _ line: Int?, zh: String, en: String) {
    items.append(Diagnostic(.error, file: file, line: line, LocalizedText(zh: zh, en: en)))
    errorCount += 1
  }

  public mutating func warning(_ file: String, _ line: Int?, zh: String, en: String) {
    items.append(Diagnostic(.warning, file: file, line: line, LocalizedText(zh: zh, en: en)))
    warningCount += 1
  }

  mutating func append(_ d: Diagnostic) {
    items.append(d)
    if d.severity == .error { errorCount += 1 } else { warningCount += 1 }
  }

  public mutating func append(contentsOf other: DiagnosticLog) {
    items.append(contentsOf: other.items)
    errorCount += other.errorCount
    warningCount += other.warningCount
  }

  /// The closing count line, e.g. `2 errors, 1 warning`.
  public func summary(_ lang: Language) -> String {
    switch lang {
    case .zh: return "\(errorCount) 个错误，\(warningCount) 个警告"
    case .en:
      let e = errorCount == 1 ? "error" : "errors"
      let w = warningCount == 1 ? "warning" : "warnings"
      return "\(errorCount) \(e), \(warningCount) \(w)"
    }
  }
}

/// A dataset that could not be loaded: the diagnostics say why (exit status 2).
public struct DatasetInvalid: Error, Sendable {
  public var diagnostics: DiagnosticLog
  public init(_ diagnostics: DiagnosticLog) { self.diagnostics = diagnostics }
}
