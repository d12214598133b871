import Dispatch
import Foundation
import _ChuandaoParallel

/// Writes `JSON` as RFC 8259 text, byte-identically for identical values.
///
/// - Numbers: `.int` in decimal; `.number` in the shortest digits that round-trip
///   (Swift's `Double.description`), except that an integral value with |x| ≤ 2^53
///   prints without a fraction (`3`, not `3.0`; `9007199254740992` for 2^53), `-0.0`
///   prints `0`, and a non-finite value prints `null`. Above 2^53 and below 1e-4 Swift's
///   exponent form is kept (`9.007199254740994e+15`, `1e+21`, `1e-05`): valid JSON, as
///   an exponent may carry a sign and leading zeros.
/// - Strings: `"` and `\` escaped; control characters U+0000–U+001F as `\b \f \n \r \t`
///   or `\u00xx` (lowercase hex); everything else, Chinese, U+007F, U+2028/U+2029
///   included, is written raw as UTF-8.
/// - `pretty`: two-space indent, `"key": value`, one element per line, `[]` and `{}` for
///   empty containers (jq's layout). Otherwise no whitespace at all.
///
/// An array with more than `Parallel.threshold` elements (the node list of a large
/// dataset) is written on all cores: contiguous chunks of its elements go to separate
/// buffers, concatenated in order. Depth and indentation are known in advance, so the
/// bytes are exactly those of writing the elements one after another.
///
/// `ObjectStream` writes the same bytes as `data(.object(o))` member by member to a sink,
/// a piece of about a megabyte at a time, and `ObjectFile` streams them into a file
/// atomically: a document of hundreds of megabytes (a province's results.json) is then
/// never held whole, as an object or as bytes.
public struct JSONWriter: Sendable {
  public var pretty: Bool

  /// Arrays with more elements than this are written in parallel chunks. `Int.max` forces
  /// the sequential path, which the tests compare against.
  var parallelThreshold = Parallel.threshold

  /// Elements per round of a parallel array when streamed: each round's chunks are written
  /// on all cores and spilled before the next round starts, so that the buffers stay
  /// small (a few megabytes for node objects).
  var streamedRound = 8 * Parallel.threshold

  public init(pretty: Bool = true) {
    self.pretty = pretty
  }

  /// The text of `value`, without a trailing newline.
  public func string(_ value: JSON) -> String {
    var out: [UInt8] = []
    write(value, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// The UTF-8 bytes of `value`, by default followed by one newline (a text file ends
  /// with one; stdout output is then a complete line).
  public func data(_ value: JSON, newline: Bool = true) -> [UInt8] {
    var out: [UInt8] = []
    write(value, into: &out)
    if newline { out.append(UInt8(ascii: "\n")) }
    return out
  }

  /// Appends the UTF-8 text of `value` (no trailing newline) to `out`.
  public func write(_ value: JSON, into out: inout [UInt8]) {
    emit(value, depth: 0, into: &out, spill: nil)
  }

  /// The JSON text of a double: shortest round-trip digits as described on the type,
  /// `null` when not finite. CSV export formats numbers the same way.
  public static func numberText(_ x: Double) -> String {
    guard x.isFinite else { return "null" }
    if x == 0 { return "0" }  // also -0.0
    let text = x.description
    // Swift prints integral values up to 2^53 in magnitude as "123.0" and switches
    // to exponent form above; drop the ".0".
    return endsInPointZero(text.utf8) ? String(text.dropLast(2)) : text
  }

  /// Whether ASCII `text` ends with `.0` (a byte test: `hasSuffix` compares characters).
  private static func endsInPointZero<C: BidirectionalCollection<UInt8>>(_ text: C) -> Bool {
    guard let last = text.last, last == UInt8(ascii: "0") else { return false }
    let i = text.index(before: text.endIndex)
    return i != text.startIndex && text[text.index(before: i)] == UInt8(ascii: ".")
  }

  /// Appends `numberText(x)` without building the trimmed string.
  static func appendNumber(_ x: Double, into out: inout [UInt8]) {
    guard x.isFinite else {
      out.append(contentsOf: "null".utf8)
      return
    }
    if x == 0 {
      out.append(UInt8(ascii: "0"))
      return
    }
    var text = x.description
    text.withUTF8 { digits in
      let end = endsInPointZero(digits) ? digits.count - 2 : digits.count
      out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<end]))
    }
  }

  // MARK: - Emitting

  /// Where streamed text goes: `drain` takes `out`'s bytes (and empties it) once `out`
  /// holds `limit` bytes or more, checked between array elements and object members.
  struct Spill {
    let limit: Int
    let drain: (inout [UInt8]) -> Void

    func check(_ out: inout [UInt8]) {
      if out.count >= limit { drain(&out) }
    }
  }

  func emit(_ value: JSON, depth: Int, into out: inout [UInt8], spill: Spill?) {
    switch value {
    case .null:
      out.append(contentsOf: "null".utf8)
    case .bool(let b):
      out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i):
      out.append(contentsOf: String(i).utf8)
    case .number(let d):
      Self.appendNumber(d, into: &out)
    case .string(let s):
      Self.appendString(s, into: &out)
    case .array(let a):
      if a.isEmpty {
        out.append(contentsOf: "[]".utf8)
        return
      }
      out.append(UInt8(ascii: "["))
      if a.count > parallelThreshold {
        emitParallel(a, depth: depth + 1, into: &out, spill: spill)
      } else {
        emitElements(a, a.indices, depth: depth + 1, into: &out, spill: spill)
      }
      newline(depth, into: &out)
      out.append(UInt8(ascii: "]"))
    case .rows(let rows):
      if rows.count == 0 {
        out.append(contentsOf: "[]".utf8)
        return
      }
      out.append(UInt8(ascii: "["))
      if rows.count > parallelThreshold {
        emitRowsParallel(rows, depth: depth + 1, into: &out, spill: spill)
      } else {
        emitRows(rows, 0..<rows.count, depth: depth + 1, into: &out, spill: spill)
      }
      newline(depth, into: &out)
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      if o.isEmpty {
        out.append(contentsOf: "{}".utf8)
        return
      }
      let keys = o.keys
      let values = o.values
      out.append(UInt8(ascii: "{"))
      for n in keys.indices {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1, into: &out)
        Self.appendString(keys[n], into: &out)
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(UInt8(ascii: " ")) }
        emit(values[n], depth: depth + 1, into: &out, spill: spill)
        spill?.check(&out)
      }
      newline(depth, into: &out)
      out.append(UInt8(ascii: "}"))
    }
  }

  /// The elements `range` of an array whose elements sit at `depth`, each preceded by
  /// its separator (none before element 0) and line break.
  private func emitElements(
    _ a: [JSON], _ range: Range<Int>, depth: Int, into out: inout [UInt8], spill: Spill?
  ) {
    for n in range {
      if n > 0 { out.append(UInt8(ascii: ",")) }
      newline(depth, into: &out)
      emit(a[n], depth: depth, into: &out, spill: spill)
      spill?.check(&out)
    }
  }

  /// `emitElements` over all of `a`, in contiguous chunks on all cores. Chunk k's buffer
  /// holds exactly the bytes the sequential loop appends for its elements (the comma
  /// before its first element included), so the concatenation is the sequential text.
  /// Streamed, the array goes in rounds of `streamedRound` elements, each spilled before
  /// the next.
  private func emitParallel(_ a: [JSON], depth: Int, into out: inout [UInt8], spill: Spill?) {
    emitInChunks(count: a.count, into: &out, spill: spill) { writer, range, buffer in
      writer.emitElements(a, range, depth: depth, into: &buffer, spill: nil)
    }
  }

  /// The elements `0..<count` of an array in contiguous chunks on all cores: `emit(writer,
  /// range, &buffer)` appends a chunk's elements with `writer`, which never goes parallel
  /// itself, and the buffers are concatenated in order. Streamed (`spill`), in rounds of
  /// `streamedRound` elements, each spilled before the next.
  func emitInChunks(
    count total: Int, into out: inout [UInt8], spill: Spill?,
    _ emit: @Sendable (JSONWriter, Range<Int>, inout [UInt8]) -> Void
  ) {
    var inner = self  // no nested parallelism inside a chunk
    inner.parallelThreshold = .max
    let sequential = inner
    let round = spill == nil ? total : max(1, streamedRound)
    var start = 0
    while start < total {
      let base = start
      let count = min(round, total - base)
      let parts = Parallel.map(count: count) { range in
        var buffer: [UInt8] = []
        emit(sequential, (base + range.lowerBound)..<(base + range.upperBound), &buffer)
        return buffer
      }
      Parallel.concatenate(parts, onto: &out)
      spill?.check(&out)
      start += count
    }
  }


  /// 64 spaces: indentation up to depth 32 appended without making an array slice (and
  /// retaining and releasing its array) on every line.
  private static let spaces: StaticString = "                                                                "

  func newline(_ depth: Int, into out: inout [UInt8]) {
    guard pretty else { return }
    out.append(UInt8(ascii: "\n"))
    let n = 2 * depth
    if n <= Self.spaces.utf8CodeUnitCount {
      Self.spaces.withUTF8Buffer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<n])) }
    } else {
      out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n))
    }
  }

  private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

  static func appendString(_ s: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var s = s
    s.withUTF8 { utf8 in
      // Copy runs of bytes that need no escape in one go.
      var start = 0
      for n in utf8.indices {
        let byte = utf8[n]
        guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
          continue
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<n]))
        start = n + 1
        out.append(0x5C)
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
          out.append(UInt8(ascii: "u"))
          out.append(0x30)
          out.append(0x30)
          out.append(hex[Int(byte >> 4)])
          out.append(hex[Int(byte & 0x0F)])
        }
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
    }
    out.append(UInt8(ascii: "\""))
  }
}

// MARK: - Streaming

extension JSONWriter {
  /// Writes one object member by member: the bytes of `data(.object(o), newline:)` for
  /// the members given in order, handed to `sink` in pieces of about `pieceSize` bytes
  /// (a large member in several), so that neither the object nor its text is ever whole
  /// in memory.
  public struct ObjectStream {
    public let writer: JSONWriter
    let spill: Spill
    private var buffer: [UInt8] = []
    private var members = 0
    private var finished = false

    /// `sink` receives the text in order; it is called on the calling thread.
    public init(
      writer: JSONWriter = JSONWriter(), pieceSize: Int = 1 << 20,
      sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
      self.writer = writer
      self.spill = Spill(limit: max(1, pieceSize)) { out in
        out.withUnsafeBytes(sink)
        out.removeAll(keepingCapacity: true)
      }
    }

    /// Writes the member `key: value` (a key is not checked against the earlier ones).
    public mutating func member(_ key: String, _ value: JSON) {
      precondition(!finished, "JSONWriter.ObjectStream: member after finish")
      buffer.append(members == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
      writer.newline(1, into: &buffer)
      JSONWriter.appendString(key, into: &buffer)
      buffer.append(UInt8(ascii: ":"))
      if writer.pretty { buffer.append(UInt8(ascii: " ")) }
      writer.emit(value, depth: 1, into: &buffer, spill: spill)
      spill.check(&buffer)
      members += 1
    }

    /// Closes the object (`{}` when it has no member), adds the newline when asked, and
    /// hands over everything not yet written.
    public mutating func finish(newline: Bool = true) {
      precondition(!finished, "JSONWriter.ObjectStream: finished twice")
      finished = true
      if members == 0 {
        buffer.append(contentsOf: "{}".utf8)
      } else {
        writer.newline(0, into: &buffer)
        buffer.append(UInt8(ascii: "}"))
      }
      if newline { buffer.append(UInt8(ascii: "\n")) }
      if !buffer.isEmpty { spill.drain(&buffer) }
    }
  }

  /// An object streamed into a file atomically (an `AtomicFile.Temporary`): until
  /// `commit`, `path` is untouched; a stream dropped without `commit`, or one that failed,
  /// removes its temporary.
  ///
  /// Used from one thread at a time (the report appends on a queue of its own, then
  /// commits after waiting for it): `@unchecked Sendable` for that hand-over.
  public final class ObjectFile: @unchecked Sendable {
    public var path: String { file.path }
    private let file: AtomicFile.Temporary
    private var stream: ObjectStream

    /// Opens the temporary. `protecting`: paths that must never be written, compared as
    /// `AtomicFile.write` compares them.
    public init(
      path: String, protecting: Set<String> = [], writer: JSONWriter = JSONWriter()
    ) throws(OutputError) {
      let file = try AtomicFile.Temporary(path: path, protecting: protecting)
      self.file = file
      stream = ObjectStream(writer: writer) { bytes in file.write(bytes) }
    }

    /// Writes the member `key: value`. A write that fails is kept for `commit` to throw;
    /// later members are then skipped.
    public func member(_ key: String, _ value: JSON) {
      guard !file.failed else { return }
      stream.member(key, value)
    }

    /// Closes the object and puts the file in place; throws the first failure, if any
    /// (the temporary is then removed and `path` left as it was).
    public func commit(newline: Bool = true) throws(OutputError) {
      if !file.failed { stream.finish(newline: newline) }
      try file.commit()
    }
  }
}
