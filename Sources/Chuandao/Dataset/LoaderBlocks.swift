import Foundation
import _ChuandaoCSV
import _ChuandaoOutput
import _ChuandaoParallel

/// When the loader reads a file in blocks on every core instead of record by record on one
/// thread (docs/loader.md). Tests set tiny sizes to put a cut at every record.
struct BlockReading: Sendable {
  /// UTF-8 files at least this large are read in blocks; smaller ones sequentially.
  var minimumFileBytes = 4 << 20
  /// A block ends at the first record boundary after this many bytes.
  var blockSize = 512 << 10
  /// Bytes read, hashed and cut per step; the blocks of one window are parsed while the
  /// next window is read.
  var windowSize = 8 << 20

  /// Every file read sequentially, as before blocks existed.
  static let never = BlockReading(minimumFileBytes: .max)
}

/// The SHA-256 of one file, fed through one tap by every read of it: a block read, and
/// the sequential read that may follow it, which hands over only the bytes not yet seen.
final class FileHash {
  let stream = FileDigest.Stream()
  let tap: ByteTap

  init() {
    let stream = self.stream
    tap = ByteTap { stream.update($0) }
  }

  func hex() -> String { stream.hex() }
}

/// A row of a large table resolved by a block (every lookup and parse done), applied to
/// the file's accumulators in file order on the loading thread. `line` (counted from the
/// block's first line, as all of a block's lines are until the merge adds the line feeds
/// of the blocks before) places the errors the application finds (a second row for a
/// cell, a running total that overflows) among the block's own.
protocol ResolvedRow: Sendable {
  var line: Int32 { get }
}

/// Where a block read stands on the header: not met yet, unusable, or resolved.
enum HeaderState: Sendable {
  case pending
  case failed(fields: Int)
  case resolved(Columns, fields: Int)
}

/// What one block of a table produced.
struct BlockResult<Row: ResolvedRow>: Sendable {
  var log = DiagnosticLog()
  var rows: [Row] = []
  var records = 0
  var normalised = NormalisedCells()
  var header = HeaderState.pending
  /// Line feeds in the block: its last line, less one.
  var lineFeeds = 0
  /// The block has a CSV syntax error: the file is read again sequentially.
  var failed = false
}

extension DatasetLoader {
  /// Whether `name` is large enough to read in blocks.
  func readsInBlocks(_ name: String) -> Bool {
    guard case .csv? = sources[name] else { return false }
    let size = (try? FileManager.default.attributesOfItem(atPath: path(name))[.size] as? Int) ?? 0
    return size >= blockReading.minimumFileBytes
  }

  /// `readTable` for a large file, with the same diagnostics in the same order: blocks of
  /// whole records are parsed on every core, each by its own loader part that resolves
  /// rows with `row`; then, in file order, each block's diagnostics are merged by line
  /// with those of `apply`, which adds runs of rows to the file's accumulators (a row's
  /// line in the file is its `line` plus `lineOffset`). A file that is not UTF-8 is read
  /// in blocks again as GB18030 (after `reset`, which empties the accumulators), each
  /// block transcoded by the thread that parses it. Returns nil, having logged and noted
  /// nothing, when the file must be read with `readTable` instead (neither UTF-8 nor
  /// GB18030 throughout, a CSV syntax error, a record beyond `CSVReader.maxRecordBytes`):
  /// the caller resets its accumulators and calls `readTable` with the same `digest`.
  mutating func readTableInBlocks<Row: ResolvedRow>(
    _ name: String, required: [StaticString], optional: [StaticString] = [],
    digest: FileHash?,
    row: @escaping @Sendable (inout DatasetLoader, CSVRecord, Columns, inout [Row]) -> Void,
    reset: () -> Void,
    apply: (inout DatasetLoader, ArraySlice<Row>, _ lineOffset: Int) -> Void
  ) -> Bool? {
    switch readBlocks(name, required: required, optional: optional, digest: digest, gb18030: false, row: row, apply: apply) {
    case .read(let result): return result
    case .sequential: return nil
    case .notUTF8:
      reset()
      let again = readBlocks(name, required: required, optional: optional, digest: digest, gb18030: true, row: row, apply: apply)
      if case .read(let result) = again { return result }
      return nil
    }
  }

  /// How one block read of a file ended.
  enum BlockOutcome {
    /// Read: `finishTable`'s result.
    case read(Bool)
    /// A byte that is not UTF-8: try GB18030.
    case notUTF8
    /// Read the file with `readTable`.
    case sequential
  }

  /// One block read of `readTableInBlocks`, as UTF-8 or as GB18030; on any outcome but
  /// `.read`, the log and the noted cells are as they were.
  private mutating func readBlocks<Row: ResolvedRow>(
    _ name: String, required: [StaticString], optional: [StaticString],
    digest: FileHash?, gb18030: Bool,
    row: @escaping @Sendable (inout DatasetLoader, CSVRecord, Columns, inout [Row]) -> Void,
    apply: (inout DatasetLoader, ArraySlice<Row>, _ lineOffset: Int) -> Void
  ) -> BlockOutcome {
    let p = path(name)
    let settings = blockReading
    guard
      let reader = try? CSVBlockReader(
        path: p, tap: digest?.tap, blockSize: settings.blockSize,
        windowSize: settings.windowSize, gb18030: gb18030)
    else { return .sequential }
    let saved = (log, normalised)
    normalised = NormalisedCells()
    var header = HeaderState.pending
    var records = 0
    var firstNormalised: NormalisedCells?
    var lineOffset = 0  // line feeds before the next block
    let base = part()

    func merge(_ r: BlockResult<Row>, into l: inout DatasetLoader) {
      records += r.records
      if r.normalised.count > 0 {
        if firstNormalised == nil {
          firstNormalised = r.normalised
          firstNormalised?.line += lineOffset
        }
        l.normalised.count += r.normalised.count
      }
      func append(_ d: Diagnostic) {
        var d = d
        d.line = d.line.map { $0 + lineOffset }
        l.log.append(d)
      }
      defer { lineOffset += r.lineFeeds }
      // The block's items and the application's, in line order (a row with errors of
      // its own is never resolved, so no line has both; a header item has no line).
      let items = r.log.items
      var k = 0
      var from = 0
      while from < r.rows.count {
        var to = from
        let next = k < items.count ? (items[k].line ?? 0) : Int.max
        while to < r.rows.count && Int(r.rows[to].line) < next { to += 1 }
        if to > from { apply(&l, r.rows[from..<to], lineOffset) }
        if k < items.count {
          append(items[k])
          k += 1
        }
        from = to
      }
      while k < items.count {
        append(items[k])
        k += 1
      }
    }

    do {
      var queue = try reader.next()
      // The header and any blank lines before it, on this thread.
      while case .pending = header, !queue.isEmpty {
        let r = base.readBlock(queue.removeFirst(), name: name, header: header, required: required, optional: optional, row: row)
        if r.failed { throw CSVBlockReader.Unsupported.recordTooLong }
        merge(r, into: &self)
        header = r.header
        if queue.isEmpty { queue = try reader.next() }
      }
      // Then the next window is read (piece 0) while the blocks of this one are parsed.
      nonisolated(unsafe) let shared = reader  // used by piece 0 only, one window at a time
      while !queue.isEmpty {
        let blocks = queue
        let h = header
        let results = Parallel.perform(blocks.count + 1) { i -> (next: Result<[CSVBlock], any Error>?, block: BlockResult<Row>?) in
          if i == 0 { return (Result { try shared.next() }, nil) }
          return (nil, base.readBlock(blocks[i - 1], name: name, header: h, required: required, optional: optional, row: row))
        }
        for r in results.dropFirst() {
          guard let r = r.block, !r.failed else { throw CSVBlockReader.Unsupported.recordTooLong }
          merge(r, into: &self)
        }
        queue = try results[0].next!.get()
      }
    } catch {
      (log, normalised) = saved
      return error as? CSVBlockReader.Unsupported == .notUTF8 ? .notUTF8 : .sequential
    }
    if let firstNormalised {
      let count = normalised.count
      normalised = firstNormalised
      normalised.count = count
    }
    var hasColumns = false
    var headerFailed = false
    switch header {
    case .pending: break
    case .failed: headerFailed = true
    case .resolved: hasColumns = true
    }
    let encoding: TextEncoding = gb18030 ? .gb18030 : reader.hasBOM ? .utf8BOM : .utf8
    return .read(finishTable(
      DatasetFile(
        name: name, path: p, bytes: reader.byteCount, records: records,
        encoding: encoding.rawValue, sha256: digest?.hex()),
      required: required, hasColumns: hasColumns, headerFailed: headerFailed))
  }

  /// One block of `readTableInBlocks`, read by a part of this loader: the header if it is
  /// still pending, then the rows exactly as `readTable` checks them.
  func readBlock<Row: ResolvedRow>(
    _ block: CSVBlock, name: String, header: HeaderState, required: [StaticString],
    optional: [StaticString],
    row: (inout DatasetLoader, CSVRecord, Columns, inout [Row]) -> Void
  ) -> BlockResult<Row> {
    var l = part()
    l.normalised = NormalisedCells()
    var r = BlockResult<Row>()
    r.header = header
    var rows: [Row] = []
    var records = 0
    do {
      if case .resolved(let c, let fields) = header {
        // Every block after the header's: the columns are fixed for the whole block.
        r.lineFeeds = try block.forEachRecord(name: l.path(name)) { rec in
          if rec.isBlankRow { return }
          records += 1
          guard l.hasHeaderWidth(name, rec, fields: fields) else { return }
          row(&l, rec, c, &rows)
        }
      } else {
        r.lineFeeds = try block.forEachRecord(name: l.path(name)) { rec in
          if case .pending = r.header {
            let c = Columns.resolveHeader(
              file: name, record: rec, required: required, optional: optional, log: &l.log)
            r.header = c.map { .resolved($0, fields: rec.count) } ?? .failed(fields: rec.count)
            return
          }
          if rec.isBlankRow { return }
          records += 1
          guard case .resolved(let c, let fields) = r.header, l.hasHeaderWidth(name, rec, fields: fields) else { return }
          row(&l, rec, c, &rows)
        }
      }
    } catch {
      r.failed = true
    }
    r.rows = rows
    r.records = records
    r.log = l.log
    r.normalised = l.normalised
    return r
  }
}
