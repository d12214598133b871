import Foundation
import _ChuandaoParallel

#if _endian(big)
  #error("The dataset snapshot stores numbers little-endian, as they lie in memory here; a big-endian port must swap them")
#endif

/// XXH64, the 64-bit xxHash of Yann Collet (specification:
/// https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md), fed in pieces.
///
/// The snapshot's checksum: it finds a truncated or damaged file, it is not a defence against
/// a forger (the inputs' SHA-256 carries provenance). About four times faster than SHA-256
/// with SHA-NI (docs/snapshot.md, "Design notes"). Checked against the reference library's
/// values in the tests.
struct XXH64 {
  static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
  static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  static let p3: UInt64 = 0x1656_67B1_9E37_79F9
  static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
  static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

  private let seed: UInt64
  private var v1, v2, v3, v4: UInt64
  private var total: UInt64 = 0
  /// Bytes not yet making a 32-byte stripe (fewer than 32).
  private var tail: [UInt8] = []

  init(seed: UInt64 = 0) {
    self.seed = seed
    v1 = seed &+ XXH64.p1 &+ XXH64.p2
    v2 = seed &+ XXH64.p2
    v3 = seed
    v4 = seed &- XXH64.p1
    tail.reserveCapacity(32)
  }

  @inline(__always) private static func round(_ acc: UInt64, _ lane: UInt64) -> UInt64 {
    var a = acc &+ lane &* p2
    a = (a << 31) | (a >> 33)
    return a &* p1
  }

  @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
    (acc ^ round(0, v)) &* p1 &+ p4
  }

  /// Consumes whole stripes of `p` (its count a multiple of 32).
  private mutating func stripes(_ p: UnsafeRawBufferPointer) {
    var a = v1, b = v2, c = v3, d = v4
    var i = 0
    while i < p.count {
      a = XXH64.round(a, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
      b = XXH64.round(b, p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
      c = XXH64.round(c, p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
      d = XXH64.round(d, p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
      i += 32
    }
    v1 = a; v2 = b; v3 = c; v4 = d
  }

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    total &+= UInt64(bytes.count)
    var rest = bytes
    if !tail.isEmpty {
      let take = min(32 - tail.count, rest.count)
      tail.append(contentsOf: rest.prefix(take))
      rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
      guard tail.count == 32 else { return }
      tail.withUnsafeBytes { stripes($0) }
      tail.removeAll(keepingCapacity: true)
    }
    let whole = rest.count & ~31
    if whole > 0 { stripes(UnsafeRawBufferPointer(rebasing: rest.prefix(whole))) }
    tail.append(contentsOf: rest.dropFirst(whole))
  }

  func finalize() -> UInt64 {
    var acc: UInt64
    if total >= 32 {
      acc = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52))
        &+ ((v4 << 18) | (v4 >> 46))
      acc = XXH64.merge(acc, v1)
      acc = XXH64.merge(acc, v2)
      acc = XXH64.merge(acc, v3)
      acc = XXH64.merge(acc, v4)
    } else {
      acc = seed &+ XXH64.p5
    }
    acc &+= total
    tail.withUnsafeBytes { p in
      var i = 0
      while i + 8 <= p.count {
        acc ^= XXH64.round(0, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        acc = ((acc << 27) | (acc >> 37)) &* XXH64.p1 &+ XXH64.p4
        i += 8
      }
      if i + 4 <= p.count {
        acc ^= UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) &* XXH64.p1
        acc = ((acc << 23) | (acc >> 41)) &* XXH64.p2 &+ XXH64.p3
        i += 4
      }
      while i < p.count {
        acc ^= UInt64(p[i]) &* XXH64.p5
        acc = ((acc << 11) | (acc >> 53)) &* XXH64.p1
        i += 1
      }
    }
    acc ^= acc >> 33
    acc &*= XXH64.p2
    acc ^= acc >> 29
    acc &*= XXH64.p3
    acc ^= acc >> 32
    return acc
  }

  static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    var h = XXH64(seed: seed)
    h.update(bytes)
    return h.finalize()
  }
}

/// Writes snapshot values to a sink, each starting on an 8-byte boundary (so that a mapped
/// file holds every column aligned), hashing every byte written.
///
/// Layout of the values: an integer is 8 bytes little-endian; a column is its element
/// count (8 bytes) then its elements as they lie in memory, zero-padded to 8; a string
/// column is its count, the width of its offsets (4 or 8), the `count + 1` offsets as a
/// column, then the UTF-8 bytes of all its strings as one column.
struct SnapshotWriter {
  private let sink: (UnsafeRawBufferPointer) -> Void
  private var hasher = XXH64()
  private var buffer: [UInt8] = []
  /// Bytes written so far (buffered ones included).
  private(set) var count = 0

  init(sink: @escaping (UnsafeRawBufferPointer) -> Void) {
    self.sink = sink
    buffer.reserveCapacity(1 << 20)
  }

  private mutating func emit(_ bytes: UnsafeRawBufferPointer) {
    hasher.update(bytes)
    sink(bytes)
  }

  private mutating func flush() {
    guard !buffer.isEmpty else { return }
    let pending = buffer
    pending.withUnsafeBytes { emit($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Appends bytes as they are (large ones go straight to the sink, uncopied).
  mutating func raw(_ bytes: UnsafeRawBufferPointer) {
    count += bytes.count
    if bytes.count >= 1 << 16 {
      flush()
      emit(bytes)
    } else {
      buffer.append(contentsOf: bytes)
      if buffer.count >= 1 << 20 { flush() }
    }
  }

  /// Zeros up to the next multiple of 8.
  mutating func pad() {
    let r = count % 8
    if r != 0 { withUnsafeBytes(of: UInt64(0)) { raw(UnsafeRawBufferPointer(rebasing: $0.prefix(8 - r))) } }
  }

  mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { raw($0) } }
  mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
  mutating func flag(_ v: Bool) { u64(v ? 1 : 0) }

  mutating func column<T: BitwiseCopyable>(_ a: [T]) {
    int(a.count)
    a.withUnsafeBytes { raw($0) }
    pad()
  }

  /// `nil` as flag 0; a column as flag 1 and the column.
  mutating func column<T: BitwiseCopyable>(_ a: [T]?) {
    flag(a != nil)
    if let a { column(a) }
  }

  /// An optional element per row: the values (0 for nil) and a presence column (0 or 1).
  mutating func column(_ a: [Int32?]) {
    column(a.map { $0 ?? 0 })
    column(a.map { $0 == nil ? UInt8(0) : 1 })
  }

  mutating func strings(_ a: [String]) {
    var blob: [UInt8] = []
    var offsets: [Int] = [0]
    offsets.reserveCapacity(a.count + 1)
    for s in a {
      blob.append(contentsOf: s.utf8)
      offsets.append(blob.count)
    }
    int(a.count)
    if blob.count <= Int(UInt32.max) {
      int(4)
      column(offsets.map { UInt32($0) })
    } else {
      int(8)
      column(offsets.map { Int64($0) })
    }
    column(blob)
  }

  mutating func string(_ s: String) { strings([s]) }

  /// Flushes what is buffered and returns the hash of every byte written.
  mutating func finish() -> UInt64 {
    flush()
    return hasher.finalize()
  }
}

/// Why a snapshot's bytes could not be read as one: what was expected where.
struct SnapshotFault: Error, Sendable {
  var what: String
  init(_ what: String) { self.what = what }
}

/// Reads the values `SnapshotWriter` wrote, checking every count against the bytes there
/// are, so that a damaged file is an error and never a crash or a huge allocation. Columns
/// are copied out whole (memcpy); strings are made one by one, on every core when many.
struct SnapshotReader {
  let bytes: UnsafeRawBufferPointer
  private(set) var offset: Int
  /// Whether `bytes` lie in a read-only file mapping whose pages may be given back once
  /// copied out (`SnapshotReader.releasePages`); never for bytes in ordinary memory.
  let releasesPages: Bool

  init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0, releasesPages: Bool = false) {
    self.bytes = bytes
    self.offset = offset
    self.releasesPages = releasesPages
  }

  /// Regions smaller than this are not worth a system call.
  static let releaseMinimum = 1 << 20

  /// Gives the whole pages inside `region`, part of a read-only private file mapping, back
  /// to the system (`madvise(MADV_DONTNEED)`): a national snapshot's 4.5 GB would otherwise
  /// stay in the process's resident set beside the arrays copied out of it until the
  /// mapping goes. Nothing is lost: the mapping was never written, so a later read of
  /// those pages (the checksum thread, say, after the columns thread) maps them again
  /// from the file, from the page cache when they are still there.
  static func releasePages(_ region: UnsafeRawBufferPointer) {
    guard region.count >= releaseMinimum, let base = region.baseAddress else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (Int(bitPattern: base) + page - 1) / page * page
    let end = (Int(bitPattern: base) + region.count) / page * page
    guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(p, end - start, Int32(MADV_DONTNEED))
  }

  var remaining: Int { bytes.count - offset }

  mutating func u64(_ what: @autoclosure () -> String) throws(SnapshotFault) -> UInt64 {
    guard remaining >= 8 else { throw SnapshotFault("\(what()): end of data") }
    let v = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    offset += 8
    return v
  }

  /// A count or size: 0 ... Int.max.
  mutating func count(_ what: @autoclosure () -> String) throws(SnapshotFault) -> Int {
    let v = Int64(bitPattern: try u64(what()))
    guard v >= 0 else { throw SnapshotFault("\(what()): negative count \(v)") }
    return Int(v)
  }

  mutating func int(_ what: @autoclosure () -> String) throws(SnapshotFault) -> Int {
    Int(Int64(bitPattern: try u64(what())))
  }

  mutating func flag(_ what: @autoclosure () -> String) throws(SnapshotFault) -> Bool {
    switch try u64(what()) {
    case 0: return false
    case 1: return true
    case let v: throw SnapshotFault("\(what()): flag \(v), expected 0 or 1")
    }
  }

  /// Skips to the next multiple of 8.
  private mutating func pad() { offset = min(bytes.count, (offset + 7) & ~7) }

  mutating func column<T: BitwiseCopyable>(
    _ what: @autoclosure () -> String, _: T.Type = T.self, count expected: Int? = nil
  ) throws(SnapshotFault) -> [T] {
    let n = try count(what())
    if let expected, n != expected {
      throw SnapshotFault("\(what()): \(n) values, expected \(expected)")
    }
    let (size, overflow) = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
    guard !overflow, size <= remaining else {
      throw SnapshotFault("\(what()): \(n) values, more than the data left")
    }
    let source = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)])
    let out = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
      UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
      initialized = n
    }
    if releasesPages { SnapshotReader.releasePages(source) }
    offset += size
    pad()
    return out
  }

  mutating func column<T: BitwiseCopyable>(
    optional what: @autoclosure () -> String, _: T.Type = T.self, count expected: Int
  ) throws(SnapshotFault) -> [T]? {
    try flag(what()) ? try column(what(), T.self, count: expected) : nil
  }

  mutating func optionalElements(
    _ what: @autoclosure () -> String, count expected: Int? = nil
  ) throws(SnapshotFault) -> [Int32?] {
    let values = try column(what(), Int32.self, count: expected)
    let present = try column(what(), UInt8.self, count: values.count)
    return zip(values, present).map { $1 == 0 ? nil : $0 }
  }

  mutating func strings(
    _ what: @autoclosure () -> String, count expected: Int? = nil
  ) throws(SnapshotFault) -> [String] {
    let n = try count(what())
    if let expected, n != expected {
      throw SnapshotFault("\(what()): \(n) strings, expected \(expected)")
    }
    let width = try count(what())
    let offsets: [Int]
    switch width {
    case 4: offsets = try column(what(), UInt32.self, count: n + 1).map { Int($0) }
    case 8: offsets = try column(what(), Int64.self, count: n + 1).map { Int($0) }
    default: throw SnapshotFault("\(what()): offsets of width \(width)")
    }
    let length = try count(what())
    guard length <= remaining else { throw SnapshotFault("\(what()): text longer than the data left") }
    guard offsets[0] == 0, offsets[n] == length, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 })
    else { throw SnapshotFault("\(what()): text offsets out of order") }
    let blob = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
    offset += length
    pad()
    let strings = SnapshotReader.makeStrings(blob, offsets)
    if releasesPages { SnapshotReader.releasePages(blob) }
    return strings
  }

  mutating func string(_ what: @autoclosure () -> String) throws(SnapshotFault) -> String {
    try strings(what(), count: 1)[0]
  }

  /// Makes the strings `blob[offsets[i] ..< offsets[i + 1]]` (offsets already checked).
  private static func makeStrings(_ blob: UnsafeRawBufferPointer, _ offsets: [Int]) -> [String] {
    let n = offsets.count - 1
    guard n > 0 else { return [] }
    return [String](unsafeUninitializedCapacity: n) { buffer, initialized in
      // Each worker initialises only its own range of slots, and all have finished on
      // return; the blob is read-only and outlives the call.
      nonisolated(unsafe) let out = buffer.baseAddress!
      nonisolated(unsafe) let text = blob.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) }
      let ranges = Parallel.perCore(n, minimum: 1 << 15)
      Parallel.forEachWorker(ranges.count) { w in
        offsets.withUnsafeBufferPointer { o in
          for i in ranges[w] {
            let lo = o[i]
            let piece = UnsafeBufferPointer(start: text.map { $0 + lo }, count: o[i + 1] - lo)
            (out + i).initialize(to: String(decoding: piece, as: UTF8.self))
          }
        }
      }
      initialized = n
    }
  }
}
