import Foundation
import _ChuandaoCSV
import _ChuandaoParallel

/// A large sheet parsed on every core, its rows handed to the loader in order.
///
/// One thread inflates the sheet's XML and cuts it into blocks just after a `</row>` end
/// tag (a literal `</row>` is markup: in text `<` is always escaped); any thread parses a
/// block into a `RowBatch` with a handler of its own; the calling thread hands the batches
/// to the loader in block order (`Delivery`), so the records, their order and the first
/// error are those of the sequential read. A block whose first rows lack `r` numbers them
/// relative to the block's start, made absolute on delivery.
///
/// A comment, CDATA section or processing instruction could hold a literal `</row>`, so
/// from the first block holding `<!` or `<?` (past the XML declaration) on, the rest of
/// the sheet is parsed on the inflating thread by one handler, in pieces, as in the
/// sequential read. At most `maxInFlight` blocks wait at once (memory stays bounded); a
/// thread with nothing else to do parses the oldest waiting block.
struct SheetBlocks {
  /// Blocks of about this many bytes of XML.
  static let blockBytes = 1 << 19
  /// Sheets with less XML are parsed on one thread.
  static let minimumBytes = 4 << 20
  static let maxInFlight = 16

  let workbook: XLSXWorkbook
  let zip: ZipReader
  let part: String
  let blockBytes: Int
  /// `SheetHandler.cellShapes` for every handler.
  let cellShapes: Bool

  /// A parsed block: its rows, what else it found, and the error that stopped it.
  struct Parsed: Sendable {
    var batch = RowBatch()
    var summary = XLSXSheetSummary()
    var failure: XLSXSheetError?
  }

  /// What the threads share, under `lock`.
  final class Pipeline: @unchecked Sendable {
    let lock = NSCondition()
    var raw: [Int: (bytes: [UInt8], last: Bool)] = [:]
    var parsed: [Int: Parsed] = [:]
    /// Blocks cut (or tail pieces made) so far; the next to claim for parsing; the next to
    /// deliver.
    var made = 0
    var claim = 0
    var delivered = 0
    var done = false
    var producerFailure: XLSXSheetError?
    var stopped = false
    var bytes = 0
    /// Buffers given back (blocks parsed, batches delivered), to be filled again: fresh
    /// ones would cost their pages' clearing and their growth's copies on every block.
    var spareBytes: [[UInt8]] = []
    var spareBatches: [RowBatch] = []
  }

  /// The zip reader belongs to the inflating thread alone; the box carries it there.
  final class Box: @unchecked Sendable {
    let blocks: SheetBlocks
    let pipeline: Pipeline
    init(_ blocks: SheetBlocks, _ pipeline: Pipeline) {
      self.blocks = blocks
      self.pipeline = pipeline
    }
  }

  /// Parses block `bytes` into `batch` (an empty one, perhaps with capacity).
  func parse(_ bytes: [UInt8], first: Bool, last: Bool, into batch: RowBatch) -> Parsed {
    var handler = SheetHandler(
      workbook: workbook, part: part, relative: !first, cellShapes: cellShapes)
    handler.batch = batch
    var scanner = XMLScanner(part: part)
    var out = Parsed()
    do {
      try bytes.withUnsafeBufferPointer { (p) throws(XLSXError) in try scanner.feed(p, &handler) }
      try scanner.finish(&handler, fragment: !(first && last))
    } catch {
      out.failure = handler.failure(error)
    }
    out.batch = handler.batch
    out.summary = handler.summary
    return out
  }

  func run(_ delivery: inout Delivery, _ body: (borrowing CSVRecord) throws -> Void) throws {
    let p = Pipeline()
    let box = Box(self, p)
    let (consumed, _) = Parallel.both(
      { () -> Result<Void, any Error> in
        Result { try consume(p, &delivery, body) }
      },
      {
        box.blocks.produce(box.pipeline)
      })
    try consumed.get()
    delivery.summary.bytes = p.bytes
  }

  /// The calling thread: delivers blocks in order, parsing one when the next is not ready.
  private func consume(
    _ p: Pipeline, _ delivery: inout Delivery, _ body: (borrowing CSVRecord) throws -> Void
  ) throws {
    defer {
      p.lock.lock()
      p.stopped = true
      p.lock.broadcast()
      p.lock.unlock()
    }
    p.lock.lock()
    while true {
      if let block = p.parsed.removeValue(forKey: p.delivered) {
        p.lock.unlock()
        var batch = block.batch
        try delivery.deliver(&batch, body)
        delivery.add(block.summary)
        if let failure = block.failure { throw delivery.placed(failure) }
        batch.removeAll()
        p.lock.lock()
        p.spareBatches.append(batch)
        p.delivered += 1
        p.lock.broadcast()
        continue
      }
      if let (i, bytes, last, batch) = takeRaw(p) {
        p.lock.unlock()
        let result = parse(bytes, first: i == 0, last: last, into: batch)
        p.lock.lock()
        p.parsed[i] = result
        p.spareBytes.append(bytes)
        continue
      }
      if p.done && p.delivered == p.made {
        p.lock.unlock()
        if let failure = p.producerFailure { throw delivery.placed(failure) }
        return
      }
      p.lock.wait()
    }
  }

  /// The oldest block not yet claimed, taken, with a batch to parse it into (call with
  /// the lock held).
  private func takeRaw(_ p: Pipeline) -> (Int, [UInt8], Bool, RowBatch)? {
    while p.claim < p.made {
      let i = p.claim
      p.claim += 1
      if let raw = p.raw.removeValue(forKey: i) {
        return (i, raw.bytes, raw.last, p.spareBatches.popLast() ?? RowBatch())
      }
    }
    return nil
  }

  /// The other thread: inflates, cuts, hands blocks over; parses while too many wait.
  func produce(_ p: Pipeline) {
    var window: [UInt8] = []
    var tail: SheetHandler?
    var tailScanner = XMLScanner(part: part)
    var blockIndex = 0
    func enqueue(raw bytes: [UInt8]?, parsed: Parsed?, last: Bool) {
      p.lock.lock()
      let i = p.made
      if let bytes { p.raw[i] = (bytes, last) } else if let parsed { p.parsed[i] = parsed }
      p.made += 1
      p.lock.broadcast()
      // Back-pressure: parse waiting blocks, else wait for the consumer.
      while p.made - p.delivered > SheetBlocks.maxInFlight && !p.stopped {
        if let (j, b, l, batch) = takeRaw(p) {
          p.lock.unlock()
          let r = parse(b, first: j == 0, last: l, into: batch)
          p.lock.lock()
          p.parsed[j] = r
          p.spareBytes.append(b)
          p.lock.broadcast()
        } else {
          p.lock.wait()
        }
      }
      p.lock.unlock()
      blockIndex += 1
    }
    func tailPiece(final: Bool, failure: XLSXError? = nil) {
      guard var t = tail else { return }
      var piece = Parsed()
      do throws(XLSXError) {
        if let failure { throw failure }
        if final { try tailScanner.finish(&t, fragment: blockIndex > 0) }
      } catch {
        piece.failure = t.failure(error)
      }
      piece.batch = t.batch
      piece.summary = t.summary
      t.batch = RowBatch()
      t.summary = XLSXSheetSummary()
      tail = t
      enqueue(raw: nil, parsed: piece, last: final)
    }
    /// Feeds the sequential tail, started at the start of a block.
    func feedTail(_ bytes: UnsafeBufferPointer<UInt8>) throws(XLSXError) {
      var t =
        tail
        ?? SheetHandler(
          workbook: workbook, part: part, relative: blockIndex > 0, cellShapes: cellShapes)
      defer { tail = t }
      try tailScanner.feed(bytes, &t)
    }
    do {
      try zip.stream(part) { (chunk) throws(XLSXError) in
        p.lock.lock()
        let stop = p.stopped
        p.bytes += chunk.count
        p.lock.unlock()
        if stop { throw .unreadable("stopped") }
        if tail != nil {
          try feedTail(chunk)
          tailPiece(final: false)
          return
        }
        window.append(contentsOf: chunk)
        guard window.count >= blockBytes, let end = lastRowEnd(window) else { return }
        // The block keeps the window's buffer; only the few bytes after the cut move, to a
        // buffer given back.
        p.lock.lock()
        var next = p.spareBytes.popLast() ?? []
        p.lock.unlock()
        next.removeAll(keepingCapacity: true)
        next.reserveCapacity(blockBytes + (1 << 18))
        next.append(contentsOf: window[end...])
        window.removeSubrange(end...)
        let block = window
        window = next
        if hasMarkup(block, first: blockIndex == 0) {
          try block.withUnsafeBufferPointer { (b) throws(XLSXError) in try feedTail(b) }
          try window.withUnsafeBufferPointer { (b) throws(XLSXError) in try feedTail(b) }
          window = []
          tailPiece(final: false)
          return
        }
        enqueue(raw: block, parsed: nil, last: false)
      }
      if tail != nil {
        tailPiece(final: true)
      } else if hasMarkup(window, first: blockIndex == 0) {
        try window.withUnsafeBufferPointer { (b) throws(XLSXError) in try feedTail(b) }
        tailPiece(final: true)
      } else {
        enqueue(raw: window, parsed: nil, last: true)
      }
    } catch {
      let stopped = error == .unreadable("stopped")
      if tail != nil && !stopped {
        // The tail's rows before the failure go first, then the failure at its place.
        tailPiece(final: false, failure: error)
      } else {
        p.lock.lock()
        p.producerFailure = stopped ? nil : XLSXSheetError(error: error)
        p.lock.unlock()
      }
    }
    p.lock.lock()
    p.done = true
    p.lock.broadcast()
    p.lock.unlock()
  }

  /// Just past the last `</row>` of `w`, or nil.
  private func lastRowEnd(_ w: [UInt8]) -> Int? {
    let tag: [UInt8] = Array("</row>".utf8)
    var k = w.count - tag.count
    while k >= 0 {
      if w[k] == 0x3C && w[k + 1] == 0x2F && w[k + 2] == 0x72 && w[k + 3] == 0x6F
        && w[k + 4] == 0x77 && w[k + 5] == 0x3E
      {
        return k + tag.count
      }
      k -= 1
    }
    return nil
  }

  /// Whether `b` holds `<!` or `<?` (past the XML declaration of the first block): found
  /// by the rare `!` and `?` (memchr), then the byte before.
  private func hasMarkup(_ b: [UInt8], first: Bool) -> Bool {
    b.withUnsafeBufferPointer { p -> Bool in
      guard let base = p.baseAddress else { return false }
      var from = 0
      if first && hasPrefix(p, "<?xml") {
        var k = 5
        while k + 1 < p.count && !(p[k] == 0x3F && p[k + 1] == 0x3E) { k += 1 }
        from = k + 2
      }
      for mark in [UInt8(0x21), 0x3F] {
        var i = from
        while i < p.count, let hit = memchr(base + i, Int32(mark), p.count - i) {
          let k = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
          if k > 0 && p[k - 1] == 0x3C { return true }
          i = k + 1
        }
      }
      return false
    }
  }

  private func hasPrefix(_ p: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
    p.count >= s.utf8CodeUnitCount && memcmp(p.baseAddress!, s.utf8Start, s.utf8CodeUnitCount) == 0
  }
}
