import Foundation

/// The language of tables, reports and messages (`--lang zh|en`).
public enum Language: String, Sendable, CaseIterable {
  case zh, en

  /// Picks the text for this language.
  @inlinable public func pick(_ zh: String, _ en: String) -> String { self == .zh ? zh : en }
}

/// One problem found in the input: `FILE:LINE: error|warning: message`, or for a table read
/// from a workbook `BOOK.xlsx[SHEET]!C17: ...`.
public struct Diagnostic: Sendable, Equatable {
  public enum Severity: String, Sendable { case error, warning }

  public var severity: Severity
  /// The file name inside the dataset folder (`org.csv`, or the workbook `scores.xlsx`), or
  /// a path for files given directly.
  public var file: String
  /// The physical line (header = 1), or the sheet's row number; nil when the problem
  /// concerns the file (or sheet) as a whole.
  public var line: Int?
  public var message: LocalizedText
  /// The field (0-based) the problem is in, when it is one cell. A CSV place does not show
  /// it (`FILE:LINE`); a sheet's place does, as a column letter (field 2 is column C).
  public var column: Int?
  /// The sheet, when the table was read from a workbook (`file` is then the workbook).
  public var sheet: String?

  public init(_ severity: Severity, file: String, line: Int?, _ message: LocalizedText, column: Int? = nil, sheet: String? = nil) {
    self.severity = severity
    self.file = file
    self.line = line
    self.message = message
    self.column = column
    self.sheet = sheet
  }

  /// Where the problem is: `org.csv:12`, or in a workbook `scores.xlsx[scores]!C17` for a
  /// cell and `scores.xlsx[scores]!17:17` for a whole row (Excel's reference to row 17).
  public var place: String {
    guard let sheet else { return line.map { "\(file):\($0)" } ?? file }
    let book = "\(file)[\(sheet)]"
    guard let line else { return book }
    guard let column else { return "\(book)!\(line):\(line)" }
    return "\(book)!\(Diagnostic.columnLetters(column))\(line)"
  }

  /// Excel's letters for the 0-based column `c` (A, ..., Z, AA, ...).
  public static func columnLetters(_ c: Int) -> String {
    var n = c + 1
    var out = ""
    while n > 0 {
      out = String(UnicodeScalar(UInt8(65 + (n - 1) % 26))) + out
      n = (n - 1) / 26
    }
    return out
  }

  /// The compiler-style line, e.g. `org.csv:12: error: unknown parent 'B9'`.
  public func formatted(_ lang: Language = .en) -> String {
    // The severity word stays English in both languages so that editors and scripts can
    // parse the line; the message itself is localised.
    "\(place): \(severity.rawValue): \(message.text(lang))"
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
  /// The tables read from workbooks: a problem reported for `scores.csv` is placed in the
  /// workbook and sheet it was read from (`scores.xlsx`, sheet `scores`).
  var sheets: [String: (workbook: String, sheet: String)] = [:]

  public init() {}

  public var hasErrors: Bool { errorCount > 0 }

  public mutating func error(_ file: String, _ line: Int?, column: Int? = nil, zh: String, en: String) {
    add(.error, file, line, column, LocalizedText(zh: zh, en: en))
  }

  public mutating func warning(_ file: String, _ line: Int?, column: Int? = nil, zh: String, en: String) {
    add(.warning, file, line, column, LocalizedText(zh: zh, en: en))
  }

  private mutating func add(_ severity: Diagnostic.Severity, _ file: String, _ line: Int?, _ column: Int?, _ text: LocalizedText) {
    var d = Diagnostic(severity, file: file, line: line, text, column: column)
    if let place = sheets[file] {
      d.file = place.workbook
      d.sheet = place.sheet
    }
    append(d)
  }

  public mutating func append(_ d: Diagnostic) {
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
