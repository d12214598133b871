import Foundation
import _ChuandaoCSV

// What Excel and WPS write when Chinese analysts export a sheet: numbers with full-width
// digits or thousands separators, `2021/7/15` dates, and workbooks saved instead of CSV
// files. Each is read or named here; docs/data-decisions.md says which forms and why.

/// Numbers in the forms spreadsheets export.
enum ExportNumber {
  /// The ASCII spelling of a number cell written with full-width digits, signs or point,
  /// thousands separators (`,` or `，`, in groups of exactly three digits before the point)
  /// or surrounding wide spaces (U+3000, U+00A0); nil for any other text. Only called after
  /// the plain parse failed, and returns at once for a field of ASCII without a comma.
  static func normalise(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    guard bytes.contains(where: { $0 >= 0x80 || $0 == 0x2C }) else { return nil }
    var scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
    func isPad(_ s: Unicode.Scalar) -> Bool {
      s == " " || s == "\t" || s == "\u{3000}" || s == "\u{00A0}"
    }
    while let last = scalars.last, isPad(last) { scalars.removeLast() }
    let start = scalars.firstIndex { !isPad($0) } ?? scalars.endIndex
    var out: [UInt8] = []
    out.reserveCapacity(scalars.count)
    var separator: Unicode.Scalar? = nil
    var leading = 0  // digits before the first separator
    var group = -1  // digits since the last separator; -1 before any
    var inInteger = true  // before the point or exponent
    /// Whether the integer part's grouping is complete and valid at this point.
    func groupingClosed() -> Bool { group < 0 || group == 3 }
    for s in scalars[start...] {
      var v = s.value
      if (0xFF01...0xFF5E).contains(v) && s != "，" { v -= 0xFEE0 }  // full-width ASCII
      switch v {
      case 0x30...0x39:
        out.append(UInt8(v))
        if inInteger {
          if group >= 0 { group += 1 } else { leading += 1 }
        }
      case 0x2C, 0xFF0C:  // , ，
        guard inInteger, separator == nil || separator == s, group < 0 ? (1...3).contains(leading) : group == 3
        else { return nil }
        separator = s
        group = 0
      case 0x2E, 0x45, 0x65:  // . E e
        guard !inInteger || groupingClosed() else { return nil }
        inInteger = false
        out.append(UInt8(v))
      case 0x2B, 0x2D:  // + -
        out.append(UInt8(v))
      default:
        return nil
      }
    }
    guard groupingClosed() || !inInteger else { return nil }
    return String(decoding: out, as: UTF8.self)
  }
}

/// The number cells of one file that were read from export forms: how many, and the first.
struct NormalisedCells: Sendable {
  var count = 0
  var line = 0
  var field = 0
  var column = ""
  var written = ""
  var value = ""
}

extension DatasetLoader {
  /// Counts a number cell read from an export form, keeping the first as the example.
  mutating func noteNormalised(_ rec: CSVRecord, _ col: Int, column: String, value: String) {
    normalised.count += 1
    guard normalised.count == 1 else { return }
    normalised.line = rec.line
    normalised.field = col
    normalised.column = column
    normalised.written = rec.string(col)
    normalised.value = value
  }

  /// The one note per file saying which number cells were normalised.
  mutating func reportNormalised(_ name: String) {
    let n = normalised
    guard n.count > 0 else { return }
    log.warning(name, n.line, column: n.field,
      zh: "\(n.count) 个单元格的数值为导出格式（全角数字、千位分隔符或全角空格），已按数值读取；首个：列 '\(n.column)'，'\(n.written)' 读作 \(n.value)",
      en: "\(n.count) \(n.count == 1 ? "cell" : "cells") written in export forms (full-width digits, thousands separators or wide spaces) read as numbers; the first: column '\(n.column)', '\(n.written)' read as \(n.value)")
  }

  /// Reports a missing required file, naming a look-alike when there is one.
  mutating func reportMissingRequired(_ name: String, entries: [String]) {
    let hint = Dataset.missingFileHint(name, entries: entries)
    log.error(name, nil,
      zh: "缺少必需的文件" + (hint.map { "；" + $0.zh } ?? ""),
      en: "required file is missing" + (hint.map { "; " + $0.en } ?? ""))
  }

  /// Warns about each optional file that is absent while a workbook of its name is there
  /// (it would otherwise be silently left out).
  mutating func reportUnreadWorkbooks(entries: [String]) {
    for name in Dataset.knownFiles.dropFirst(2) where !entries.contains(name) && sources[name] == nil {
      guard let hint = Dataset.missingFileHint(name, entries: entries) else { continue }
      log.warning(name, nil, zh: "文件不存在，未读取；" + hint.zh, en: "missing, so not read; " + hint.en)
    }
  }
}

extension Dataset {
  /// The extensions of spreadsheet workbooks (Excel, WPS), compared case-insensitively.
  static let workbookExtensions = ["xlsx", "xls", "xlsm", "et"]
  /// Those not read in place of a CSV file (`.xlsx` is, docs/xlsx.md).
  static let unreadWorkbookExtensions = ["xls", "xlsm", "et"]

  /// What to tell the user when `name` is missing from `folder` but a look-alike is there:
  /// a workbook of the same base name (`org.xlsx`), the name in another case (`ORG.CSV`),
  /// or for `dataset.yaml` a text file under a near name (`dataset.yaml.txt`). Nil when
  /// there is none.
  public static func missingFileHint(_ name: String, folder: String) -> LocalizedText? {
    missingFileHint(name, entries: (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
  }

  static func missingFileHint(_ name: String, entries: [String]) -> LocalizedText? {
    let sorted = entries.sorted()
    let lower = name.lowercased()
    let base = (lower as NSString).deletingPathExtension
    if let other = sorted.first(where: { $0 != name && $0.lowercased() == lower }) {
      return LocalizedText(
        zh: "找到了 \(other)——请改名为 \(name)（文件名区分大小写）",
        en: "found \(other) — rename it \(name) (file names are case-sensitive)")
    }
    let workbook = sorted.first { entry in
      (name == "dataset.yaml" ? workbookExtensions : unreadWorkbookExtensions).contains { entry.lowercased() == base + "." + $0 }
    }
    if name == "dataset.yaml" {
      let nearNames = ["dataset.yml", "dataset.yaml.txt", "dataset.yml.txt", "dataset.txt"]
      if let near = sorted.first(where: { nearNames.contains($0.lowercased()) }) {
        return LocalizedText(
          zh: "找到了 \(near)——请改名为 dataset.yaml（Windows 可能隐藏了扩展名）",
          en: "found \(near) — rename it dataset.yaml (Windows may hide the extension)")
      }
      guard let workbook else { return nil }
      return LocalizedText(
        zh: "找到了 \(workbook)——dataset.yaml 是文本文件，请用文本编辑器编写（见 DATA.md）",
        en: "found \(workbook) — dataset.yaml is a text file: write it in a text editor (see DATA.md)")
    }
    if let other = sorted.first(where: { $0.lowercased() == base + ".xlsx" && $0 != base + ".xlsx" }),
      !sorted.contains(base + ".xlsx")
    {
      return LocalizedText(
        zh: "找到了 \(other)——请改名为 \(base).xlsx（文件名区分大小写）",
        en: "found \(other) — rename it \(base).xlsx (file names are case-sensitive)")
    }
    guard let workbook else { return nil }
    if workbook.lowercased().hasSuffix(".xls") {
      return LocalizedText(
        zh: "找到了 \(workbook)——旧的二进制 Excel 格式不能读取：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV",
        en: "found \(workbook) — the old binary Excel format is not read: save it as .xlsx or CSV")
    }
    return LocalizedText(
      zh: "找到了 \(workbook)——请在 Excel 或 WPS 中另存为 .xlsx 或 CSV（UTF-8）",
      en: "found \(workbook) — save it as .xlsx or CSV (UTF-8)")
  }
}

extension ISODate {
  /// Parses a date as spreadsheets export it: ISO `2021-07-15`, and `2021-7-15`,
  /// `2021/7/15`, `2021/07/15`, `2021.7.15` and `2021年7月15日` (a four-digit year, one or
  /// two digits for month and day, one separator throughout), surrounding spaces allowed;
  /// nil for anything else, including impossible dates such as 2021/2/30.
  public static func parseExport(_ text: String) -> Int32? {
    if let day = parse(text) { return day }
    let s = Array(text.trimmingCharacters(in: .whitespaces).unicodeScalars)
    var k = 0
    func number(_ digits: ClosedRange<Int>) -> Int? {
      var v = 0
      let start = k
      while k < s.count, k - start < digits.upperBound, ("0"..."9").contains(s[k]) {
        v = v * 10 + Int(s[k].value - 0x30)
        k += 1
      }
      return digits.contains(k - start) ? v : nil
    }
    func take(_ c: Unicode.Scalar) -> Bool {
      guard k < s.count, s[k] == c else { return false }
      k += 1
      return true
    }
    guard let y = number(4...4), k < s.count else { return nil }
    let first = s[k]
    let second: Unicode.Scalar
    switch first {
    case "-", "/", ".": second = first
    case "年": second = "月"
    default: return nil
    }
    k += 1
    guard let m = number(1...2), take(second), let d = number(1...2) else { return nil }
    if first == "年" && !take("日") { return nil }
    guard k == s.count, (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
    return Int32(daysFromCivil(y, m, d))
  }
}
