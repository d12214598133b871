import ChuandaoLinearAlgebra
import _ChuandaoParallel

// The ranks of a group whose exact ranks would not fit in `RankUncertainty.exactRankBudget`:
// estimated from each draw's histogram of the group's composites, in memory that does not
// grow with rows x draws (RankUncertainty, "Above the budget").

/// Each draw's histogram of the composites of every estimated group, and the ranks they
/// give: pass 1 counts every composite of a draw into its bin (`count`, `merge`), pass 2
/// estimates composites' ranks from the cumulative counts (`estimate`).
///
/// A group's bins are `bins` equal slices of [L, H], L and H the least and largest present
/// indicator value of its rows: a composite is a weighted mean of a row's present values,
/// so every draw's composites lie in [L, H] (up to rounding, clamped to the end bins). Bin
/// 0 holds the largest composites. With `above` the rows in bins before a composite's bin b
/// and `count` those in b (itself included), its exact rank r is in
/// [above + 1, above + count] (every row in an earlier bin is larger, every row in a later
/// one smaller), unless a chain of near-ties (`competitionRanks`) links it to the bin
/// before, which lowers r by at most that bin's count. The estimate interpolates linearly
/// within the bin, above + 1 + round(f (count - 1)) with f its position in the bin from the
/// top (0) to the bottom (1): also in [above + 1, above + count], so that it is at most
/// count_b + count_(b-1) - 1 from the exact rank. A quantile of S estimated ranks is then
/// at most as far from the quantile of the exact ones (each order statistic is), so the
/// largest such sum over every draw and bin bounds the error of the median and the band.
/// Equal composites get equal estimates, so exact ties still share a rank.
///
/// The bound needs chains of near-ties that do not cross a whole bin: every link is at most
/// the tie tolerance t = 1e-9 max(1, |L|, |H|) long, so a chain across a bin of width
/// (H - L) / bins passes through more than (H - L) / (bins t) of its rows; while no bin
/// holds that many, no chain crosses one.
final class RankHistograms: @unchecked Sendable {
  /// The estimated segments (engine segment indices), and per engine segment its index
  /// among them (-1 for an exact one).
  let segments: [Int]
  let slot: [Int]
  let sizes: [Int]
  let bins: Int
  let draws: Int
  let batchSize: Int
  let workers: Int
  /// Per estimated segment: H, bins / (H - L) (0 when H = L) and the bin width.
  let high: [Double]
  let scale: [Double]
  let width: [Double]
  let tolerance: [Double]
  /// Per worker, draw of the batch and estimated segment, `bins` counts.
  let counts: UnsafeMutablePointer<UInt32>
  /// Per draw and estimated segment, `bins + 1` cumulative counts: entry b = the rows in
  /// bins before b.
  let cumulative: UnsafeMutablePointer<UInt32>
  /// Per draw and estimated segment: the largest count_b + count_(b-1), and count_b.
  let largestPair: UnsafeMutablePointer<UInt32>
  let largestBin: UnsafeMutablePointer<UInt32>

  init(engine: RankUncertaintyEngine, segments: [Int], bins: Int, batchSize: Int) {
    self.segments = segments
    var slot = [Int](repeating: -1, count: engine.segments.count)
    for (e, g) in segments.enumerated() { slot[g] = e }
    self.slot = slot
    sizes = segments.map { engine.segments[$0].count }
    self.bins = bins
    draws = engine.draws
    self.batchSize = batchSize
    workers = engine.workers
    var high: [Double] = []
    var scale: [Double] = []
    var width: [Double] = []
    var tolerance: [Double] = []
    for g in segments {
      let segment = engine.segments[g]
      var lo = Double.infinity
      var hi = -Double.infinity
      for chunk in (segment.start / engine.chunkRows)...((segment.end - 1) / engine.chunkRows) {
        let weighted = engine.weightedChunks[chunk]
        let present = engine.presentChunks[chunk]
        let first = chunk * engine.chunkRows
        for a in 0..<engine.activeCount {
          for p in max(first, segment.start)..<min(first + weighted.rows, segment.end)
          where present[p - first, a] > 0 {
            lo = min(lo, weighted[p - first, a])
            hi = max(hi, weighted[p - first, a])
          }
        }
      }
      high.append(hi)
      // 0 puts every composite in bin 0: right when H = L (all equal, so all tied), and
      // the fallback should H - L be too small for bins / (H - L) to be finite.
      let s = Double(bins) / (hi - lo)
      scale.append(hi > lo && s.isFinite ? s : 0)
      width.append((hi - lo) / Double(bins))
      tolerance.append(Ties.tolerance * max(1, abs(lo), abs(hi)))
    }
    self.high = high
    self.scale = scale
    self.width = width
    self.tolerance = tolerance
    let perWorker = batchSize * segments.count * bins
    counts = .allocate(capacity: workers * perWorker)
    counts.initialize(repeating: 0, count: workers * perWorker)
    cumulative = .allocate(capacity: draws * segments.count * (bins + 1))
    largestPair = .allocate(capacity: draws * segments.count)
    largestBin = .allocate(capacity: draws * segments.count)
  }

  deinit {
    counts.deallocate()
    cumulative.deallocate()
    largestPair.deallocate()
    largestBin.deallocate()
  }

  /// Counts `n` composites of engine segment g, draw c of the batch, into worker's bins.
  func count(_ values: UnsafePointer<Double>, _ n: Int, segment g: Int, worker: Int, draw c: Int) {
    let e = slot[g]
    let target = counts + ((worker * batchSize + c) * segments.count + e) * bins
    let (high, scale, top, last) = (self.high[e], self.scale[e], Double(bins), bins - 1)
    for k in 0..<n {
      // Clamped before the conversion: a composite rounded past L or H stays in an end bin.
      let u = min(top, max(0, (high - values[k]) * scale))
      target[min(last, Int(u))] &+= 1
    }
  }

  /// Sums draw c of the batch over the workers into the cumulative counts of draw s, and
  /// clears it for the next batch.
  func merge(draw c: Int, as s: Int) {
    for e in 0..<segments.count {
      let out = cumulative + (s * segments.count + e) * (bins + 1)
      var running: UInt32 = 0
      var previous: UInt32 = 0
      var pair: UInt32 = 0
      var largest: UInt32 = 0
      for b in 0..<bins {
        var total: UInt32 = 0
        for w in 0..<workers {
          let source = counts + ((w * batchSize + c) * segments.count + e) * bins + b
          total &+= source.pointee
          source.pointee = 0
        }
        out[b] = running
        running &+= total
        pair = max(pair, total &+ previous)
        largest = max(largest, total)
        previous = total
      }
      out[bins] = running
      largestPair[s * segments.count + e] = pair
      largestBin[s * segments.count + e] = largest
    }
  }

  /// The estimated ranks of `n` composites of estimated segment e in draw s, into `ranks`:
  /// above + 1 + f (count - 1), rounded half up, for a composite at f of its bin's height
  /// from the top, with `above` rows in the bins before and `count` in its own.
  func estimate(
    _ values: UnsafePointer<Double>, _ n: Int, _ e: Int, draw s: Int,
    into ranks: UnsafeMutablePointer<UInt32>
  ) {
    let table = cumulative + (s * segments.count + e) * (bins + 1)
    let (high, scale, top, last) = (self.high[e], self.scale[e], Double(bins), bins - 1)
    for k in 0..<n {
      let u = min(top, max(0, (high - values[k]) * scale))
      let b = min(last, Int(u))
      let f = min(1, u - Double(b))
      let above = table[b]
      let count = max(1, table[b &+ 1] &- above)
      ranks[k] = above &+ 1 &+ UInt32(f * Double(count &- 1) + 0.5)
    }
  }

  /// What `RankUncertainty.Result.estimated` reports, in group order of the segments.
  func estimates(groups: [Int32]) -> [RankUncertainty.Estimate] {
    segments.indices.map { e in
      var pair: UInt32 = 0
      var largest: UInt32 = 0
      for s in 0..<draws {
        pair = max(pair, largestPair[s * segments.count + e])
        largest = max(largest, largestBin[s * segments.count + e])
      }
      // No chain of near-ties crosses a whole bin while no bin holds width / tolerance rows.
      // With H = L every composite is tied with every other: all exact ranks are 1, as are
      // the estimates.
      let bound: Int? =
        width[e] == 0
        ? 0 : scale[e] > 0 && Double(largest) < width[e] / tolerance[e] ? Int(pair) - 1 : nil
      return RankUncertainty.Estimate(
        group: groups[e], size: sizes[e],
        exactBytes: RankUncertainty.exactRankBytes(size: sizes[e], draws: draws), bins: bins,
        rankErrorBound: bound)
    }
  }
}

extension RankUncertaintyEngine {
  /// Pass 2 for the estimated groups: their positions in units of whole chunks (about
  /// 16,384 rows), each unit by one worker, which recomputes the unit's composites for every
  /// batch (the same products as pass 1), keeps their estimated ranks for all S draws
  /// (S x 4 bytes a row, 66 MB a worker for S = 1000), then summarises them like exact ones.
  /// A unit's rows are neighbours in base order, so a draw's composites of them fall in a
  /// narrow stretch of its cumulative counts: units of 4,096 rows took 7% more time, those
  /// of 65,536 4% less, for 4 times the memory.
  func estimateRanks(
    _ batches: [Matrix], histograms: RankHistograms, into summaries: RankSummaries
  ) {
    let unitChunks = max(1, 16_384 / chunkRows)
    var units: [(segment: Int, estimated: Int, chunks: Range<Int>, rows: Range<Int>)] = []
    for (e, g) in histograms.segments.enumerated() {
      let segment = segments[g]
      let lastChunk = (segment.end - 1) / chunkRows
      for first in stride(from: segment.start / chunkRows, through: lastChunk, by: unitChunks) {
        let chunks = first..<min(first + unitChunks, lastChunk + 1)
        let rows =
          max(
            segment.start, chunks.lowerBound * chunkRows)..<min(
            segment.end, chunks.upperBound * chunkRows)
        units.append((g, e, chunks, rows))
      }
    }
    let unitList = units
    let largestUnit = units.map(\.rows.count).max()!
    let batchSize = min(settings.batchSize, draws)
    let unitWorkers = min(workers, units.count)
    let storeBytes = (0..<unitWorkers).map { _ in
      SharedPointer<UInt32>(base: .allocate(capacity: largestUnit * draws))
    }
    let rowRanks = (0..<unitWorkers).map { _ in
      SharedPointer<UInt32>(base: .allocate(capacity: largestUnit * batchSize))
    }
    defer {
      for bytes in storeBytes { bytes.base.deallocate() }
      for buffer in rowRanks { buffer.base.deallocate() }
    }
    let scratches = (0..<unitWorkers).map { _ in ProductScratch() }
    Parallel.forEachWorker(unitWorkers) { worker in
      let scratch = scratches[worker]
      let ranks = rowRanks[worker].base
      for u in stride(from: worker, to: unitList.count, by: unitWorkers) {
        let unit = unitList[u]
        let size = unit.rows.count
        let store = PackedRanks(
          size: size, draws: self.draws, width: 4,
          bytes: UnsafeMutableRawPointer(storeBytes[worker].base))
        var first = 0
        for w in batches {
          for chunk in unit.chunks {
            let chunkFirst = chunk * self.chunkRows
            let rows = self.weightedChunks[chunk].rows
            let lower = max(chunkFirst, unit.rows.lowerBound)
            let upper = min(chunkFirst + rows, unit.rows.upperBound)
            self.composites(chunk: chunk, weights: w, scratch: scratch) { values in
              for c in 0..<w.columns {
                histograms.estimate(
                  values + c * rows + (lower - chunkFirst), upper - lower, unit.estimated,
                  draw: first + c, into: ranks + c * size + (lower - unit.rows.lowerBound))
              }
            }
          }
          for c in 0..<w.columns { store.store(draw: first + c, ranks: ranks + c * size) }
          first += w.columns
        }
        let statistics = summaries.statistics[worker]
        for tile in stride(from: 0, to: size, by: PackedRanks.tileRows) {
          let rows = store.gather(tileAt: tile, into: statistics.gathered)
          summaries.summarise(
            segment: unit.segment, positions: unit.rows.lowerBound + tile, rows: rows,
            statistics: statistics)
        }
      }
    }
  }
}
