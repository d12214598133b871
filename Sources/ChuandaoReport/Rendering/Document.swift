import _ChuandaoOutput

// A result described once as data, for every renderer: a document of sections, each a
// title, paragraphs and tables whose columns have a kind. Renderers (terminal text,
// Markdown, HTML) turn any document into their form and never see a particular result;
// a new output format is one new renderer.

/// What a result says, in order: sections, each a title and blocks.
public struct Document: Sendable, Equatable {
  public var sections: [Section]

  public init(_ sections: [Section] = []) {
    self.sections = sections
  }

  public mutating func append(_ section: Section) {
    sections.append(section)
  }
}

/// A titled run of paragraphs and tables. The terminal prints sections one after another
/// with a blank line between them; Markdown and HTML give the title a heading.
public struct Section: Sendable, Equatable {
  public var title: String?
  public var blocks: [Block]

  public init(_ title: String? = nil, _ blocks: [Block] = []) {
    self.title = title
    self.blocks = blocks
  }

  public mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
  public mutating func table(_ table: Table) { blocks.append(.table(table)) }
}

public enum Block: Sendable, Equatable {
  /// One sentence or a few, on one line in the terminal.
  case paragraph(String)
  case table(Table)
}

/// Columns with a kind, and rows of cells, one per column.
public struct Table: Sendable, Equatable {
  public var columns: [Column]
  public private(set) var rows: [[Cell]] = []

  public init(_ columns: [Column]) {
    self.columns = columns
  }

  /// Appends a row; it must have one cell per column (traps otherwise).
  public mutating func add(_ cells: [Cell]) {
    precondition(cells.count == columns.count, "Table.add: \(cells.count) cells for \(columns.count) columns")
    rows.append(cells)
  }

  /// The text of every cell, formatted by its column's kind.
  public var formattedRows: [[String]] {
    rows.map { row in row.indices.map { columns[$0].kind.format(row[$0]) } }
  }
}

public struct Column: Sendable, Equatable {
  public var title: String
  public var kind: ColumnKind

  public init(_ title: String, _ kind: ColumnKind = .text()) {
    self.title = title
    self.kind = kind
  }
}

/// What a column holds: its rounding and its alignment in one place. `maxWidth` is the
/// terminal's: cells wider are shortened in the middle unless whole names are asked for
/// (Markdown and HTML always print them whole).
public enum ColumnKind: Sendable, Equatable {
  /// Words: a period, a level, a subject, a description.
  case text(maxWidth: Int? = nil)
  /// A node's, a leader's or a problem's name or identifier.
  case name(maxWidth: Int? = nil)
  /// Whole numbers; a missing one prints `-`.
  case count
  /// A number with `digits` decimals; a missing or non-finite one prints `-`.
  case number(Int)
  /// A share as a percentage with `digits` decimals: 0.4286 → `42.9%`.
  case percent(Int)
  /// A change with its sign and `digits` decimals: `+0.0123`, `-2.00`, `0.000`.
  case signed(Int)
  /// `[low, high]` with `digits` decimals, `-` without a low end.
  case interval(Int)
  /// A flag in words (cold, hot, attenuated, silo, blind spot).
  case flag
  /// A grade in words (excellent, good, fair, poor).
  case grade

  public var alignment: TextAlignment {
    switch self {
    case .count, .number, .percent, .signed: .right
    case .text, .name, .interval, .flag, .grade: .left
    }
  }

  public var maxWidth: Int? {
    switch self {
    case .text(let w), .name(let w): w
    default: nil
    }
  }

  /// Decimals of the kind's numbers (4 where the kind does not say).
  public var digits: Int {
    switch self {
    case .number(let d), .percent(let d), .signed(let d), .interval(let d): d
    default: 4
    }
  }

  /// The text of a cell in a column of this kind.
  public func format(_ cell: Cell) -> String {
    switch cell {
    case .text(let s): return s
    case .empty: return ""
    case .count(let n): return n.map(String.init) ?? "-"
    case .number(let x, let d):
      let digits = d ?? self.digits
      switch self {
      case .percent: return Figures.percent(x, digits)
      case .signed: return Figures.signed(x, digits)
      default: return Figures.decimal(x, digits)
      }
    case .change(let n): return Figures.signed(n)
    case .interval(let low, let high, let d):
      guard let low else { return "-" }
      let digits = d ?? self.digits
      return "[\(Figures.decimal(low, digits)), \(Figures.decimal(high, digits))]"
    }
  }
}

/// One value of a table; its column's kind formats it.
public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral {
  case text(String)
  /// Printed as nothing at all.
  case empty
  case count(Int?)
  /// A number; `digits` overrides the column's where one column mixes precisions.
  case number(Double?, digits: Int? = nil)
  /// A whole-number change with its sign: `+3`, `-2`, `0`.
  case change(Int)
  case interval(Double?, Double?, digits: Int? = nil)

  public init(stringLiteral value: String) {
    self = .text(value)
  }
}
