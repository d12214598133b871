/// A dense matrix of `Double`, stored column-major as BLAS and LAPACK expect.
///
/// Element (i, j) lives at `storage[i + j * rows]`. The type is a value: copies are cheap
/// until written (the storage is a Swift array), so passing matrices around costs nothing.
/// Shapes that do not fit an operation are programmer errors and trap with a message.
public struct Matrix: Equatable, Sendable {
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int
  /// The elements in column-major order: column 0 first, then column 1, and so on.
  public internal(set) var storage: [Double]

  /// A `rows` x `columns` matrix with every element equal to `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)x\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = Array(repeating: value, count: rows * columns)
  }

  /// A matrix over existing column-major storage, which must hold `rows * columns` elements.
  public init(rows: Int, columns: Int, storage: [Double]) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)x\(columns)")
    precondition(
      storage.count == rows * columns,
      "Matrix: \(storage.count) elements for a \(rows)x\(columns) matrix")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// A matrix from its rows, as written on paper: `Matrix([[1, 2], [3, 4]])`.
  ///
  /// All rows must have the same length. Meant for tests and small literals; build large
  /// matrices column by column through `init(rows:columns:storage:)`.
  public init(_ rowArrays: [[Double]]) {
    let columns = rowArrays.first?.count ?? 0
    self.init(rows: rowArrays.count, columns: columns)
    for (i, row) in rowArrays.enumerated() {
      precondition(
        row.count == columns, "Matrix: row \(i) has \(row.count) elements, expected \(columns)")
      for (j, value) in row.enumerated() { storage[i + j * rows] = value }
    }
  }

  /// The n x n identity matrix.
  public static func identity(_ n: Int) -> Matrix {
    var result = Matrix(rows: n, columns: n)
    for i in 0..<n { result.storage[i + i * n] = 1 }
    return result
  }

  /// The element in row `row` and column `column` (both 0-based).
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns,
        "Matrix: index (\(row), \(column)) outside \(rows)x\(columns)")
      return storage[row + column * rows]
    }
    set {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns,
        "Matrix: index (\(row), \(column)) outside \(rows)x\(columns)")
      storage[row + column * rows] = newValue
    }
  }

  /// The transposed matrix (a copy; BLAS calls take a transpose flag instead, see `gemm`).
  public var transpose: Matrix {
    var result = Matrix(rows: columns, columns: rows)
    for j in 0..<columns {
      for i in 0..<rows { result.storage[j + i * columns] = storage[i + j * rows] }
    }
    return result
  }

  /// Column `column` as a contiguous slice of the storage.
  public func column(_ column: Int) -> ArraySlice<Double> {
    precondition(column >= 0 && column < columns, "Matrix: column \(column) outside 0..<\(columns)")
    return storage[(column * rows)..<((column + 1) * rows)]
  }

  /// The main diagonal, `min(rows, columns)` elements.
  public var diagonal: [Double] {
    (0..<min(rows, columns)).map { storage[$0 + $0 * rows] }
  }
}

extension Matrix: CustomStringConvertible {
  /// The rows, one per line, for debugging and test failure messages.
  public var description: String {
    var lines = ["Matrix \(rows)x\(columns)"]
    for i in 0..<rows {
      lines.append((0..<columns).map { "\(storage[i + $0 * rows])" }.joined(separator: " "))
    }
    return lines.joined(separator: "\n")
  }
}
