import Foundation

// What a store (ChuandaoStore) needs of the loader's knowledge without going through a
// folder load: a manifest read alone, a manifest written back as `dataset.yaml`, and the
// columns of DATA.md's files under their canonical names.

extension Manifest {
  /// Reads and checks `folder/dataset.yaml` alone (DATA.md): the manifest, or nil with the
  /// errors in the log. The name defaults to the folder's name, as in a load.
  public static func read(folder: String) -> (Manifest?, DiagnosticLog) {
    var log = DiagnosticLog()
    let path = (folder as NSString).appendingPathComponent("dataset.yaml")
    guard let data = FileManager.default.contents(atPath: path) else {
      log.error("dataset.yaml", nil, zh: "缺少必需的文件", en: "required file is missing")
      return (nil, log)
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      log.error("dataset.yaml", nil, zh: "不是 UTF-8 编码（dataset.yaml 须为 UTF-8）",
        en: "not UTF-8 (dataset.yaml must be UTF-8)")
      return (nil, log)
    }
    let folderName = (folder as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? folder
    let manifest = parse(yaml: text, folderName: folderName, log: &log)
    return (log.hasErrors ? nil : manifest, log)
  }

  /// `dataset.yaml` text that reads back as exactly this manifest: every key written,
  /// strings as JSON-style double-quoted YAML scalars, weights in Swift's shortest
  /// round-trip form.
  public var yaml: String {
    func q(_ s: String) -> String {
      var out = "\""
      for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
          if u.value < 0x20 { out += String(format: "\\u%04X", u.value) } else { out.unicodeScalars.append(u) }
        }
      }
      return out + "\""
    }
    func list(_ xs: [String]) -> String { "[" + xs.map(q).joined(separator: ", ") + "]" }
    func weights(_ names: [String], _ w: [Double]) -> String {
      "{" + zip(names, w).map { "\(q($0)): \($1)" }.joined(separator: ", ") + "}"
    }
    var s = "# Written by chuandao from a history store.\n"
    s += "name: \(q(name))\n"
    s += "levels: \(list(levels))\n"
    s += "periods: \(list(periods))\n"
    let ends = periods.indices.compactMap { t in periodEnd[t].map { (periods[t], $0) } }
    if !ends.isEmpty {
      s += "period_end:\n"
      for (label, day) in ends { s += "  \(q(label)): \(ISODate.format(day))\n" }
    }
    s += "subjects: \(list(subjects))\n"
    s += "domains: \(list(domains))\n"
    s += "kinds: \(list(kinds))\n"
    s += "subject_weights: \(weights(subjects, subjectWeights))\n"
    s += "kind_weights: \(weights(kinds, kindWeights))\n"
    return s
  }
}

extension Dataset {
  /// The columns of one of DATA.md's CSV files under their canonical names, in DATA.md's
  /// order (empty for a name that is not one of them).
  public static func columns(of file: String) -> [String] {
    HeaderAliases.table.filter { $0.file == file }.map(\.column)
  }

  /// The canonical column a header cell of `file` names (exactly, by an alias, or in
  /// another case or width; docs/header-aliases.md), or nil for an unknown column.
  public static func canonicalColumn(file: String, header: String) -> String? {
    let h = header.trimmingCharacters(in: .whitespaces)
    let columns = columns(of: file)
    if columns.contains(h) { return h }
    return columns.first { HeaderAliases.matches(h, file: file, column: $0) }
  }
}

extension DiagnosticLog {
  /// Appends one diagnostic found elsewhere (a store's check of a delivery keeps some of a
  /// load's diagnostics and not others).
  public mutating func add(_ d: Diagnostic) { append(d) }
}
