/// A plain-text table for the terminal, aligned by display width so that Chinese names
/// line up.
///
/// Layout: a header line, a rule of ASCII `-` (one column per cell, so width arithmetic
/// stays trivial whatever the terminal does with box-drawing characters), then the rows;
/// two spaces between columns; every line padded to the full table width (the last
/// column too), each ending in "\n". Tabs, CR and LF inside cells become spaces.
///
///     var t = TextTable(columns: [.init(title: "单位"), .init(title: "得分", alignment: .right)])
///     t.addRow(["市水务局", "3.5"])
///     print(t.render(), terminator: "")
public struct TextTable: Sendable {
  public struct Column: Sendable {
    public var title: String
    public var alignment: TextAlignment
    /// Cells (and the title) wider than this are shortened by taking out their middle
    /// ("…"), unless `TextTable.wholeNames` is set. Two different cells never come out the
    /// same: where they would, the column is allowed to grow until they differ.
    public var maxWidth: Int?

    public init(title: String, alignment: TextAlignment = .left, maxWidth: Int? = nil) {
      self.title = title
      self.alignment = alignment
      self.maxWidth = maxWidth
    }
  }

  public typealias Alignment = TextAlignment

  /// Print every cell whole, ignoring `maxWidth`: what `--wide` asks for, and the default
  /// when the output is not a terminal (a file or a pipe has no width to respect). Set for
  /// a stretch of rendering with `TextTable.$wholeNames.withValue(true) { ... }`.
  @TaskLocal public static var wholeNames = false

  public var columns: [Column]
  public private(set) var rows: [[String]] = []

  public init(columns: [Column]) {
    self.columns = columns
  }

  /// Appends a row; it must have one cell per column (traps otherwise).
  public mutating func addRow(_ cells: [String]) {
    precondition(
      cells.count == columns.count,
      "TextTable.addRow: \(cells.count) cells for \(columns.count) columns")
    rows.append(cells)
  }

  public func render() -> String {
    let whole = Self.wholeNames
    let limits = columns.indices.map { n in whole ? nil : uniqueWidth(column: n) }
    func fitted(_ s: String, _ n: Int) -> String {
      let clean = Self.sanitized(s)
      return limits[n].map { truncateMiddle(clean, toWidth: $0) } ?? clean
    }
    let header = columns.indices.map { fitted(columns[$0].title, $0) }
    let body = rows.map { row in row.indices.map { fitted(row[$0], $0) } }
    var widths = header.map(displayWidth)
    for row in body {
      for (n, cell) in row.enumerated() { widths[n] = max(widths[n], displayWidth(cell)) }
    }
    var out = ""
    func line(_ cells: [String]) {
      for (n, cell) in cells.enumerated() {
        if n > 0 { out += "  " }
        out += pad(cell, toWidth: widths[n], alignment: columns[n].alignment)
      }
      out += "\n"
    }
    line(header)
    line(widths.map { String(repeating: "-", count: $0) })
    for row in body { line(row) }
    return out
  }

  /// The smallest width >= the column's `maxWidth` at which no two different cells of the
  /// column are shortened to the same text; nil without a `maxWidth`.
  private func uniqueWidth(column n: Int) -> Int? {
    guard let start = columns[n].maxWidth else { return nil }
    let cells = Set(rows.map { Self.sanitized($0[n]) })
    let widest = cells.map(displayWidth).max() ?? 0
    var width = start
    while width < widest {
      var seen = Set<String>()
      var clash = false
      for cell in cells where !seen.insert(truncateMiddle(cell, toWidth: width)).inserted {
        clash = true
        break
      }
      if !clash { return width }
      width += 1
    }
    return width
  }

  private static func sanitized(_ s: String) -> String {
    guard s.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return s }
    return String(s.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
  }
}
